// Applies wasm-opt's `--minify-imports-and-exports-and-modules` renaming (its JSON report) to
// the wasm-bindgen glue, so the glue and the module agree on the short names.
//
// wasm-bindgen names each import `__wbg_<name>_<16 hex digits>` and the closure exports after
// their full Rust paths; both appear twice (in the module and in the glue), and the hashes do not
// compress. Short names make the package 3.5 KiB gzip smaller (docs/build.md).
//
// Every rename is checked: each import of the module must be a key of the glue's import object,
// each `wasm.<export>` of the glue must be renamed, and no old name may remain. A glue that a
// future wasm-bindgen writes differently fails here, not at instantiation.

/**
 * @param {string} js the glue (`--target web`, as wasm-bindgen writes it)
 * @param {string} dts the glue's declarations (its `InitOutput` lists the exports)
 * @param {Uint8Array} wasm the renamed module
 * @param {{imports: [string, string, string][], exports: [string, string][]}} report wasm-opt's
 * @returns {{js: string, dts: string}}
 */
export function shortenNames(js, dts, wasm, report) {
  const imports = WebAssembly.Module.imports(new WebAssembly.Module(wasm));
  const modules = new Set(imports.map((i) => i.module));
  const oldModules = new Set(report.imports.map(([module]) => module));
  if (modules.size !== 1 || oldModules.size !== 1) {
    throw new Error(`expected one import module, found ${[...modules]} (was ${[...oldModules]})`);
  }
  const [module] = modules;
  const [oldModule] = oldModules;

  const importName = new Map(report.imports.map(([, name, short]) => [name, short]));
  const exportName = new Map(report.exports);

  const moduleKey = `${JSON.stringify(oldModule)}:`;
  if (js.split(moduleKey).length !== 2) throw new Error(`the glue names ${moduleKey} other than once`);
  js = js.replace(moduleKey, `${JSON.stringify(module)}:`);

  // The import object's keys: `        __wbg_name_hash: function(`. Keys of imports that wasm-opt
  // removed as unused keep their names (the module no longer asks for them).
  js = js.replace(/^(\s+)([\w$]+)(: function\()/gm, (whole, indent, key, rest) =>
    importName.has(key) ? `${indent}${importName.get(key)}${rest}` : whole,
  );
  js = js.replace(/\bwasm\.([\w$]+)/g, (_, name) => {
    const short = exportName.get(name);
    if (short === undefined) throw new Error(`the glue uses wasm.${name}, which the module does not export`);
    return `wasm.${short}`;
  });

  const keys = new Set([...js.matchAll(/^\s+([\w$]+): function\(/gm)].map((m) => m[1]));
  const unprovided = imports.filter((i) => !keys.has(i.name)).map((i) => i.name);
  if (unprovided.length) throw new Error(`the glue provides no import named ${unprovided.join(", ")}`);
  const left = [...importName.keys()].filter((name) => new RegExp(`\\b${name}\\b`).test(js));
  if (left.length) throw new Error(`old import names remain in the glue: ${left.join(", ")}`);

  // `InitOutput` (what `init` resolves to) lists the module's exports by name.
  dts = dts.replace(/^export interface InitOutput \{\n[^}]*\}/m, (block) =>
    block.replace(/^(\s+readonly )([\w$]+)(:)/gm, (whole, head, name, tail) =>
      exportName.has(name) ? `${head}${exportName.get(name)}${tail}` : whole,
    ),
  );
  return { js, dts };
}
