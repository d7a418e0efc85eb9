// Minifies one file with esbuild and terser, as twt-gen's bench asks; prints one JSON line per
// peer: {"peer", "bytes", "ms"} where ms is the median of the runs (in-process, warm).
import { readFileSync } from "node:fs";
import { performance } from "node:perf_hooks";
import * as esbuild from "esbuild";
import { minify as terser } from "terser";

const [file, runsArg] = process.argv.slice(2);
const source = readFileSync(file, "utf8");
const runs = Number(runsArg || 10);

async function measure(peer, minify) {
  let code = "";
  const times = [];
  for (let i = 0; i < runs; i++) {
    const start = performance.now();
    code = await minify();
    times.push(performance.now() - start);
  }
  times.sort((a, b) => a - b);
  console.log(JSON.stringify({ peer, bytes: Buffer.byteLength(code), ms: times[times.length >> 1], code }));
}

await measure("esbuild", async () =>
  (await esbuild.transform(source, { minify: true, target: "es2018" })).code);
await measure("terser", async () =>
  (await terser(source, { ecma: 2018, compress: { passes: 3 }, mangle: { toplevel: true } })).code);
