// Render Mermaid diagrams with the real mermaid package in headless Chromium and
// measure them, as a browser draws them on a GitHub page.
//
//   CHROMIUM=/usr/bin/chromium node render.mjs < diagrams.json   (a JSON list of texts)
//
// Prints a JSON list: {"ok": true, "width": px, "height": px} or {"ok": false, "error"}.
// The width is the SVG's natural width (its viewBox), before any page scales it down.
import { readFileSync } from "node:fs";
import { createRequire } from "node:module";
import puppeteer from "puppeteer-core";

const require = createRequire(import.meta.url);
const script = readFileSync(require.resolve("mermaid/dist/mermaid.min.js"), "utf8");
const diagrams = JSON.parse(readFileSync(0, "utf8"));
const browser = await puppeteer.launch({
  executablePath: process.env.CHROMIUM,
  headless: true,
  args: ["--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage"],
});
const results = [];
try {
  const page = await browser.newPage();
  await page.setContent("<!doctype html><html><body><div id=out></div></body></html>");
  await page.addScriptTag({ content: script });
  await page.evaluate(() => window.mermaid.initialize({ startOnLoad: false, securityLevel: "strict" }));
  for (const [index, text] of diagrams.entries()) {
    results.push(await page.evaluate(async (text, index) => {
      try {
        const { svg } = await window.mermaid.render(`d${index}`, text);
        const out = document.getElementById("out");
        out.innerHTML = svg;
        const box = out.querySelector("svg").viewBox.baseVal;
        return { ok: true, width: box.width, height: box.height };
      } catch (error) {
        return { ok: false, error: String(error?.message ?? error) };
      }
    }, text, index));
  }
} finally {
  await browser.close();
}
process.stdout.write(JSON.stringify(results));
