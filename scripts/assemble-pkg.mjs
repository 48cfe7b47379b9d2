// Assembles the npm package: pkg-template/ + the wasm-bindgen glue → pkg/.
// usage: node scripts/assemble-pkg.mjs <glue-dir> <out-dir>
import { cpSync, existsSync, mkdirSync, readFileSync, readdirSync, rmSync, writeFileSync } from "node:fs";
import { join, relative, sep } from "node:path";

import { transformSync } from "esbuild";

import { shortenNames } from "./shorten-names.mjs";

const [glueDir, outDir] = process.argv.slice(2);
if (!glueDir || !outDir) fail("usage: assemble-pkg.mjs <glue-dir> <out-dir>");
const template = "pkg-template";
const glue = "partner_referrals";

function fail(message) {
  console.error(`assemble-pkg: ${message}`);
  process.exit(1);
}
function walk(dir) {
  return readdirSync(dir, { withFileTypes: true }).flatMap((e) =>
    e.isDirectory() ? walk(join(dir, e.name)) : [join(dir, e.name)],
  );
}
const read = (path) => readFileSync(path, "utf8");

rmSync(outDir, { recursive: true, force: true });
mkdirSync(outDir, { recursive: true });

// 1. The glue: one `--target web` build shared by the node and web entries, with the short
//    import and export names of the module (scripts/shorten-names.mjs).
cpSync(join(glueDir, `${glue}_bg.wasm`), join(outDir, `${glue}_bg.wasm`));
const names = join(glueDir, "names.json");
if (!existsSync(names)) fail(`${names} is missing (wasm-opt's renaming report, see scripts/package.sh)`);
try {
  const short = shortenNames(
    read(join(glueDir, `${glue}.js`)),
    read(join(glueDir, `${glue}.d.ts`)),
    readFileSync(join(glueDir, `${glue}_bg.wasm`)),
    JSON.parse(read(names)),
  );
  writeFileSync(join(outDir, `${glue}.js`), short.js);
  writeFileSync(join(outDir, `${glue}.d.ts`), short.dts);
} catch (e) {
  fail(`short names: ${e.message}`);
}
cpSync(join(glueDir, "snippets"), join(outDir, "snippets"), { recursive: true });

// 2. The classes module (ODataError, Filter) is a wasm-bindgen snippet under a hashed folder;
//    the entries must re-export that very module so `instanceof` holds.
const classes = walk(join(outDir, "snippets")).filter((p) => p.endsWith(`${sep}src${sep}wasm${sep}classes.js`));
if (classes.length !== 1) fail(`expected one classes.js snippet, found ${classes.length}`);
const classesSpecifier = "./" + relative(outDir, classes[0]).split(sep).join("/");

// 3. package.json: hand-written, its version must be the crate's.
const pkg = JSON.parse(read(join(template, "package.json")));
const crateVersion = /^\[package\][^[]*?^version\s*=\s*"([^"]+)"/ms.exec(read("Cargo.toml"))?.[1];
if (pkg.version !== crateVersion) {
  fail(`pkg-template/package.json version ${pkg.version} != Cargo.toml version ${crateVersion}`);
}
cpSync(join(template, "package.json"), join(outDir, "package.json"));
for (const file of ["README.md", "LICENSE", "node.js", "web.js"]) {
  cpSync(join(template, file), join(outDir, file));
}

// 4. api.js: the glue's exports it names must exist (a missing core export fails here, clearly).
const glueJs = read(join(outDir, `${glue}.js`));
const glueExports = new Set([...glueJs.matchAll(/^export function (\w+)/gm)].map((m) => m[1]));
let api = read(join(template, "api.js"));
const fromGlue = [...api.matchAll(/export \{([^}]*)\} from "\.\/partner_referrals\.js"/g), ...api.matchAll(/import \{([^}]*)\} from "\.\/partner_referrals\.js"/g)]
  .flatMap((m) => m[1].split(",").map((s) => s.trim().split(/\s+as\s+/)[0]).filter(Boolean));
const missing = fromGlue.filter((name) => !glueExports.has(name));
if (missing.length) fail(`the wasm module does not export: ${missing.join(", ")}`);
api = api.replace("@@CLASSES@@", classesSpecifier);
writeFileSync(join(outDir, "api.js"), api);

// 5. index.d.ts: re-export every type the glue declares (tsify interfaces, hand-written unions),
//    except wasm-bindgen's own init types.
const glueDts = read(join(outDir, `${glue}.d.ts`));
const internal = new Set(["InitInput", "InitOutput", "SyncInitInput"]);
// A class re-exported as a value (ODataError) is its own type; an interface merged into it
// must not be listed again.
const glueClasses = new Set([...glueDts.matchAll(/^export (?:declare )?class (\w+)/gm)].map((m) => m[1]));
const types = [...new Set([...glueDts.matchAll(/^export (?:declare )?(?:interface|type) (\w+)/gm)].map((m) => m[1]))]
  .filter((name) => !internal.has(name) && !glueClasses.has(name))
  .sort();
const marker = "// @generated-type-exports (filled in by scripts/assemble-pkg.mjs)";
let dts = read(join(template, "index.d.ts"));
if (!dts.includes(marker)) fail("index.d.ts has no type-export marker");
dts = dts.replace(marker, `export type {\n${types.map((t) => `  ${t},`).join("\n")}\n} from "./partner_referrals.js";`);
writeFileSync(join(outDir, "index.d.ts"), dts);

// 6. Everything package.json promises is there.
for (const entry of pkg.files) {
  if (!existsSync(join(outDir, entry))) fail(`package.json lists ${entry}, which is missing`);
}
// 7. The shipped JS without comments and whitespace (esbuild's whitespace and syntax
//    minification): the package's JS is then 7.6 KiB gzip instead of 13.6 (the size guard of
//    `make bench`). The generated glue and the small snippets also get short local names
//    (1.0 KiB gzip less): their exports keep their names, but a stack trace through them shows
//    short function names. The two files that define what users hold keep every name, so the
//    classes' `name` reads as documented: api.js (`ReferralsClient`) and classes.js
//    (`ODataError`, `Filter`).
const keepNames = new Set(["api.js", "classes.js"]);
for (const file of walk(outDir).filter((path) => path.endsWith(".js"))) {
  const { code } = transformSync(read(file), {
    minifyWhitespace: true,
    minifySyntax: true,
    minifyIdentifiers: !keepNames.has(file.split(sep).pop()),
    format: "esm",
    target: "es2022",
    legalComments: "none",
  });
  writeFileSync(file, code);
}
console.log(`assemble-pkg: ${outDir}/ (${types.length} types, classes at ${classesSpecifier})`);
