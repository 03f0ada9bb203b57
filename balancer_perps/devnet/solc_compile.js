// Compile a solc standard-JSON input (stdin) with the pinned solcjs and print the output (stdout).
// Imports such as "@openzeppelin/..." resolve from the repository's node_modules.
"use strict";
const fs = require("fs");
const path = require("path");

const root = process.argv[2];
const solc = require(path.join(root, "node_modules", "solc"));

function findImports(importPath) {
  for (const base of [path.join(root, "node_modules"), root]) {
    const candidate = path.join(base, importPath);
    if (fs.existsSync(candidate)) {
      return { contents: fs.readFileSync(candidate, "utf8") };
    }
  }
  return { error: "File not found: " + importPath };
}

const input = fs.readFileSync(0, "utf8");
process.stdout.write(solc.compile(input, { import: findImports }));
