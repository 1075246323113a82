//! The split of a small module, run in Node.js (V8, as Chromium): the first
//! part alone, a moved function called through its stub, the rest fetched
//! once by `load`, and the same answers as the module whole.

use std::process::Command;

use wasm_encoder::{
    CodeSection, ConstExpr, ElementSection, Elements, EntityType, ExportKind, ExportSection,
    Function, FunctionSection, GlobalSection, GlobalType, ImportSection, Instruction, MemArg,
    MemorySection, MemoryType, Module, NameMap, NameSection, RefType, TableSection, TableType,
    TypeSection, ValType,
};

use super::{split, Parsed};

/// A body long enough to be moved: `nop`s before the end.
fn padded(function: &mut Function) {
    for _ in 0..32 {
        function.instruction(&Instruction::Nop);
    }
}

/// `env.log(i32)`, then: `hot(x) = cold(x) + 1`, `cold(x) = log(x);
/// mem[0] = x; helper(x + g)`, `helper(x) = x * 2`, `indirect(x)` calls
/// table slot 1 (`cold`), `g` = 5.
fn module() -> Vec<u8> {
    let mut types = TypeSection::new();
    types.ty().function([ValType::I32], [ValType::I32]); // 0
    types.ty().function([ValType::I32], []); // 1
    let mut imports = ImportSection::new();
    imports.import("env", "log", EntityType::Function(1)); // function 0
    let mut functions = FunctionSection::new();
    for _ in 0..4 {
        functions.function(0); // 1 hot, 2 cold, 3 helper, 4 indirect
    }
    let mut tables = TableSection::new();
    tables.table(TableType {
        element_type: RefType::FUNCREF,
        minimum: 2,
        maximum: Some(2),
        table64: false,
        shared: false,
    });
    let mut memories = MemorySection::new();
    memories.memory(MemoryType {
        minimum: 1,
        maximum: None,
        memory64: false,
        shared: false,
        page_size_log2: None,
    });
    let mut globals = GlobalSection::new();
    globals.global(
        GlobalType {
            val_type: ValType::I32,
            mutable: true,
            shared: false,
        },
        &ConstExpr::i32_const(5),
    );
    let mut exports = ExportSection::new();
    exports.export("hot", ExportKind::Func, 1);
    exports.export("indirect", ExportKind::Func, 4);
    exports.export("memory", ExportKind::Memory, 0);
    let mut elements = ElementSection::new();
    elements.active(
        Some(0),
        &ConstExpr::i32_const(0),
        Elements::Functions(vec![1, 2].into()),
    );
    let mut code = CodeSection::new();
    let mut hot = Function::new(Vec::<(u32, ValType)>::new());
    hot.instruction(&Instruction::LocalGet(0));
    hot.instruction(&Instruction::Call(2));
    hot.instruction(&Instruction::I32Const(1));
    hot.instruction(&Instruction::I32Add);
    hot.instruction(&Instruction::End);
    code.function(&hot);
    let mut cold = Function::new(Vec::<(u32, ValType)>::new());
    padded(&mut cold);
    cold.instruction(&Instruction::LocalGet(0));
    cold.instruction(&Instruction::Call(0));
    cold.instruction(&Instruction::I32Const(0));
    cold.instruction(&Instruction::LocalGet(0));
    cold.instruction(&Instruction::I32Store(MemArg {
        offset: 0,
        align: 2,
        memory_index: 0,
    }));
    cold.instruction(&Instruction::LocalGet(0));
    cold.instruction(&Instruction::GlobalGet(0));
    cold.instruction(&Instruction::I32Add);
    cold.instruction(&Instruction::Call(3));
    cold.instruction(&Instruction::End);
    code.function(&cold);
    let mut helper = Function::new(Vec::<(u32, ValType)>::new());
    padded(&mut helper);
    helper.instruction(&Instruction::LocalGet(0));
    helper.instruction(&Instruction::I32Const(2));
    helper.instruction(&Instruction::I32Mul);
    helper.instruction(&Instruction::End);
    code.function(&helper);
    let mut indirect = Function::new(Vec::<(u32, ValType)>::new());
    padded(&mut indirect);
    indirect.instruction(&Instruction::LocalGet(0));
    indirect.instruction(&Instruction::I32Const(1));
    indirect.instruction(&Instruction::CallIndirect {
        type_index: 0,
        table_index: 0,
    });
    indirect.instruction(&Instruction::End);
    code.function(&indirect);
    let mut names = NameMap::new();
    for (index, name) in [(1, "hot"), (2, "cold"), (3, "helper"), (4, "indirect")] {
        names.append(index, name);
    }
    let mut name_section = NameSection::new();
    name_section.functions(&names);

    let mut module = Module::new();
    module
        .section(&types)
        .section(&imports)
        .section(&functions)
        .section(&tables)
        .section(&memories)
        .section(&globals)
        .section(&exports)
        .section(&elements)
        .section(&code)
        .section(&name_section);
    module.finish()
}

const RUN: &str = r#"
const fs = require("fs");
const [first, rest] = [fs.readFileSync(process.argv[1]), fs.readFileSync(process.argv[2])];
const logged = [];
let loads = 0;
let exports;
const imports = {
  env: { log: (x) => logged.push(x) },
  __split: {
    load: () => {
      loads += 1;
      new WebAssembly.Instance(new WebAssembly.Module(rest), { p: exports });
      exports["$loaded"].value = 1;
    },
  },
};
exports = new WebAssembly.Instance(new WebAssembly.Module(first), imports).exports;
const out = { hot: exports.hot(3), again: exports.hot(4), indirect: exports.indirect(3) };
out.memory = new Int32Array(exports.memory.buffer, 0, 1)[0];
out.loads = loads;
out.logged = logged;
console.log(JSON.stringify(out));
"#;

#[test]
fn a_moved_function_runs_through_its_stub_once_the_rest_is_loaded() -> crate::Result {
    let bytes = module();
    let parsed = Parsed::new(&bytes)?;
    assert_eq!(parsed.names.get(&2).map(String::as_str), Some("cold"));
    let parts = split(&parsed, |index| parsed.names[&index] != "cold")?;
    assert_eq!((parts.moved, parts.kept), (1, 3));
    for part in [&parts.first, &parts.rest] {
        wasmparser::Validator::new_with_features(wasmparser::WasmFeatures::all())
            .validate_all(part)?;
    }
    let folder = tempfile_dir()?;
    let (first, rest) = (folder.join("first.wasm"), folder.join("rest.wasm"));
    std::fs::write(&first, &parts.first)?;
    std::fs::write(&rest, &parts.rest)?;
    // Node.js comes with the project's tools (`cargo xtask setup` runs npm).
    let output = Command::new("node")
        .arg("-e")
        .arg(RUN)
        .arg(&first)
        .arg(&rest)
        .output()
        .map_err(|error| format!("node: {error} (install Node.js: `cargo xtask setup`)"))?;
    assert!(
        output.status.success(),
        "{}",
        String::from_utf8_lossy(&output.stderr)
    );
    let answer = String::from_utf8(output.stdout)?;
    // cold(x) = (x + 5) * 2; hot = cold + 1; the rest loaded once.
    assert_eq!(
        answer.trim(),
        r#"{"hot":17,"again":19,"indirect":16,"memory":3,"loads":1,"logged":[3,4,3]}"#
    );
    std::fs::remove_dir_all(&folder)?;
    Ok(())
}

fn tempfile_dir() -> crate::Result<std::path::PathBuf> {
    let folder = std::env::temp_dir().join(format!("thamgia-split-test-{}", std::process::id()));
    std::fs::create_dir_all(&folder)?;
    Ok(folder)
}
