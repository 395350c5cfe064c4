use super::*;

/// A custom section that must come through byte for byte, last in every test module.
const OPAQUE: &[u8] = &[
    0, 10, 6, b'o', b'p', b'a', b'q', b'u', b'e', 0xde, 0xad, 0xbe,
];

/// A module importing functions from the glue and memory from `env`, then `exports`
/// (functions, by index), then the opaque custom section.
fn module_with(glue: &str, names: &[&str], exports: &[&str]) -> Vec<u8> {
    use wasm_encoder::{
        EntityType, ExportKind, ExportSection, ImportSection, MemoryType, Module, RawSection,
        TypeSection,
    };
    let mut types = TypeSection::new();
    types.ty().function([], []);
    let mut imports = ImportSection::new();
    for n in names {
        imports.import(glue, n, EntityType::Function(0));
    }
    let memory = MemoryType {
        minimum: 1,
        maximum: Some(16),
        memory64: false,
        shared: false,
        page_size_log2: None,
    };
    imports.import("env", "memory", memory);
    let mut m = Module::new();
    m.section(&types).section(&imports);
    if !exports.is_empty() {
        let mut section = ExportSection::new();
        for (i, n) in exports.iter().enumerate() {
            section.export(n, ExportKind::Func, i as u32);
        }
        m.section(&section);
    }
    m.section(&RawSection {
        id: 0,
        data: &OPAQUE[2..],
    });
    m.finish()
}

fn module(glue: &str, names: &[&str]) -> Vec<u8> {
    module_with(glue, names, &[])
}

fn imports_of(wasm: &[u8]) -> Vec<(String, String)> {
    let mut seen = Vec::new();
    rewrite_import_section(wasm, |m, n| {
        seen.push((m.to_owned(), n.to_owned()));
        None
    })
    .unwrap();
    seen
}

const GLUE: &str = r#"
function __wbg_get_imports() {
    const import0 = {
        __proto__: null,
        __wbg_log_0123456789abcdef: function(arg0) { console.log(arg0); },
        __wbindgen_throw_fedcba9876543210: function(arg0) { throw arg0 + 0x1f; },
    };
    return { __proto__: null, "./app_bg.js": import0 };
}
export default __wbg_get_imports;
"#;

#[test]
fn imports_get_short_names_in_the_wasm_and_the_glue_alike() {
    let wasm = module(
        "./app_bg.js",
        &[
            "__wbg_log_0123456789abcdef",
            "__wbindgen_throw_fedcba9876543210",
        ],
    );
    let (w, js) = rename_imports(&wasm, GLUE).unwrap();
    assert_eq!(
        imports_of(&w),
        [
            ("w".into(), "a".into()),
            ("w".into(), "b".into()),
            ("env".into(), "memory".into())
        ]
    );
    assert!(
        js.contains("        a: function(arg0) { console.log(arg0); },"),
        "{js}"
    );
    assert!(
        js.contains("        b: function(arg0) { throw arg0 + 0x1f; },"),
        "{js}"
    );
    assert!(js.contains(r#""w": import0"#), "{js}");
    assert!(!js.contains("__wbg_log"), "{js}");
    // Everything but the import section is unchanged.
    assert_eq!(&w[w.len() - OPAQUE.len()..], OPAQUE);
    assert!(w.len() < wasm.len());
}

#[test]
fn a_name_the_glue_uses_twice_stops_the_build() {
    let wasm = module(
        "./app_bg.js",
        &[
            "__wbg_log_0123456789abcdef",
            "__wbindgen_throw_fedcba9876543210",
        ],
    );
    let glue = GLUE.replace("console.log(arg0)", "__wbg_log_0123456789abcdef(arg0)");
    let e = rename_imports(&wasm, &glue).unwrap_err();
    assert!(e.contains("__wbg_log_0123456789abcdef"), "{e}");
}

#[test]
fn an_import_missing_from_the_glue_stops_the_build() {
    let wasm = module(
        "./app_bg.js",
        &["__wbg_log_0123456789abcdef", "__wbg_gone_1111111111111111"],
    );
    let e = rename_imports(&wasm, GLUE).unwrap_err();
    assert!(e.contains("__wbg_gone_1111111111111111"), "{e}");
}

#[test]
fn a_module_without_glue_imports_is_left_alone() {
    let wasm = module("env", &["f"]);
    let (w, js) = rename_imports(&wasm, GLUE).unwrap();
    assert_eq!(w, wasm);
    assert_eq!(js, GLUE);
}

/// A module with an import section and an export section of the given names.
fn with_exports(names: &[&str]) -> Vec<u8> {
    module_with("./app_bg.js", &["__wbg_log_0123456789abcdef"], names)
}

fn exports_of(wasm: &[u8]) -> Vec<String> {
    let seen = std::cell::RefCell::new(Vec::new());
    remove_exports(wasm, |n| {
        seen.borrow_mut().push(n.to_owned());
        false
    })
    .unwrap();
    seen.into_inner()
}

const CLASS_GLUE: &str = "export class IntoUnderlyingSink {
    free() {
        wasm.__wbg_intounderlyingsink_free(this.__wbg_ptr, 0);
    }
    write(chunk) {
        return wasm.intounderlyingsink_write(this.__wbg_ptr, chunk);
    }
}
if (Symbol.dispose) IntoUnderlyingSink.prototype[Symbol.dispose] = IntoUnderlyingSink.prototype.free;

export function initSync() {}
const IntoUnderlyingSinkFinalization = (typeof FinalizationRegistry === 'undefined')
    ? { register: () => {}, unregister: () => {} }
    : new FinalizationRegistry(ptr => wasm.__wbg_intounderlyingsink_free(ptr, 1));
const cachedTextDecoder = 1;
";

#[test]
fn unused_classes_leave_the_glue_and_their_methods_the_exports() {
    let wasm = with_exports(&[
        "memory",
        "intounderlyingsink_write",
        "__wbg_intounderlyingsink_free",
        "main",
    ]);
    let glue = format!("// glue\n{CLASS_GLUE}");
    let (w, js) = drop_unused_classes(&wasm, &glue).unwrap();
    assert_eq!(exports_of(&w), ["memory", "main"]);
    assert_eq!(
        js,
        "// glue\n\nexport function initSync() {}\nconst cachedTextDecoder = 1;\n"
    );
    // wasm-bindgen starts the file with the first class.
    let (_, js) = drop_unused_classes(&wasm, CLASS_GLUE).unwrap();
    assert_eq!(
        js,
        "\nexport function initSync() {}\nconst cachedTextDecoder = 1;\n"
    );
}

#[test]
fn a_class_the_glue_constructs_stays_and_stops_the_build() {
    let wasm = with_exports(&["intounderlyingsink_write"]);
    let glue = format!("\n{CLASS_GLUE}function f(p) {{ return IntoUnderlyingSink.__wrap(p); }}\n");
    let e = drop_unused_classes(&wasm, &glue).unwrap_err();
    assert!(e.contains("IntoUnderlyingSink"), "{e}");
}

#[test]
fn a_class_named_elsewhere_stops_the_build() {
    let wasm = with_exports(&["intounderlyingsink_write"]);
    let glue = format!("\n{CLASS_GLUE}export {{ IntoUnderlyingSink as Sink }};\n");
    assert!(drop_unused_classes(&wasm, &glue)
        .unwrap_err()
        .contains("still names IntoUnderlyingSink"));
}

#[test]
fn a_class_laid_out_otherwise_stops_the_build() {
    let wasm = with_exports(&["intounderlyingsink_write"]);
    let glue = CLASS_GLUE.replace(
        "export class IntoUnderlyingSink {\n",
        "export class IntoUnderlyingSink\n{\n",
    );
    assert!(drop_unused_classes(&wasm, &glue)
        .unwrap_err()
        .contains("IntoUnderlyingSink"));
}

#[test]
fn glue_without_those_classes_is_left_alone() {
    let wasm = with_exports(&["memory"]);
    let (w, js) = drop_unused_classes(&wasm, GLUE).unwrap();
    assert_eq!((w, js.as_str()), (wasm, GLUE));
}

#[test]
fn exports_reached_only_as_wasm_dot_name_get_short_names() {
    let wasm = with_exports(&[
        "memory",
        "__wbindgen_start",
        "main",
        "free_h0123456789abcdef",
    ]);
    let glue = "function init() { wasm.__wbindgen_start(); new Uint8Array(wasm.memory.buffer); }\n\
                    const text = 'main thread';\nwasm.free_h0123456789abcdef(1);\n";
    let (w, js) = rename_exports(&wasm, glue, "").unwrap();
    // `memory` is "a" and so on in export order; `main` also appears as a word of a string.
    assert_eq!(exports_of(&w), ["a", "b", "main", "c"]);
    assert_eq!(js, "function init() { wasm.b(); new Uint8Array(wasm.a.buffer); }\nconst text = 'main thread';\nwasm.c(1);\n");
}

#[test]
fn exports_another_script_names_keep_their_names() {
    // The split loader takes the table and memory from the page's exports by name.
    let wasm = with_exports(&["memory", "__indirect_function_table", "__wbindgen_start"]);
    let glue = "wasm.__wbindgen_start(); new Uint8Array(wasm.memory.buffer);\n";
    let loader = "const { __indirect_function_table, memory } = initSync(undefined, undefined);";
    let (w, js) = rename_exports(&wasm, glue, loader).unwrap();
    assert_eq!(exports_of(&w), ["memory", "__indirect_function_table", "a"]);
    assert_eq!(js, "wasm.a(); new Uint8Array(wasm.memory.buffer);\n");
}

#[test]
fn short_names_are_unique_and_short() {
    let names: Vec<String> = (0..52 * 53).map(short_name).collect();
    let set: std::collections::HashSet<_> = names.iter().collect();
    assert_eq!(set.len(), names.len());
    assert_eq!(
        (names[0].as_str(), names[51].as_str(), names[52].as_str()),
        ("a", "Z", "aa")
    );
    assert!(names.iter().all(|n| n.len() <= 2));
}

#[test]
fn integrity_follows_the_file() {
    let html = r#"<link rel="modulepreload" href="/sub/app-1.js" integrity="sha384-old"><link rel="stylesheet" href="/sub/app.css" integrity="sha384-old2"/>"#;
    let out = update_integrity(html, |f| Some(f.as_bytes().to_vec())).unwrap();
    let want = |f: &str| {
        format!(
            "sha384-{}",
            base64::engine::general_purpose::STANDARD.encode(Sha384::digest(f.as_bytes()))
        )
    };
    assert_eq!(
        out,
        format!(
            r#"<link rel="modulepreload" href="/sub/app-1.js" integrity="{}"><link rel="stylesheet" href="/sub/app.css" integrity="{}"/>"#,
            want("app-1.js"),
            want("app.css")
        )
    );
    assert!(update_integrity(html, |_| None)
        .unwrap_err()
        .contains("app-1.js"));
}
