// Parse Mermaid diagrams with the real mermaid package, headless.
//
//   node parse.mjs < diagrams.json     (a JSON list of diagram texts)
//
// Prints a JSON list: {"ok": true, "type": "flowchart-v2"} or {"ok": false, "error": "..."}.
// mermaid.parse() needs a DOM (it sanitizes labels with DOMPurify), which
// jsdom provides; @mermaid-js/parser alone covers only the newer diagram
// types (pie, gitGraph, architecture...), not flowcharts.
import { readFileSync } from "node:fs";
import { JSDOM } from "jsdom";

const { window } = new JSDOM("");
globalThis.window = window;
globalThis.document = window.document;
const { default: mermaid } = await import("mermaid");

const diagrams = JSON.parse(readFileSync(0, "utf8"));
const results = [];
for (const text of diagrams) {
  try {
    const parsed = await mermaid.parse(text);
    results.push({ ok: true, type: parsed.diagramType });
  } catch (error) {
    results.push({ ok: false, error: String(error?.message ?? error) });
  }
}
process.stdout.write(JSON.stringify(results));
