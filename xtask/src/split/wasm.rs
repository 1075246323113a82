//! The module transforms behind the split: a module parsed once
//! ([`Parsed`]), cut in two ([`split`]), or given a prologue in every
//! function that marks it run ([`instrument`]).
//!
//! # The two parts
//!
//! The first part is the whole module with the body of every function of
//! the rest replaced by a stub of the same type: if the rest is not there
//! yet (a global of the first part, `$loaded`, is 0), the stub calls the
//! imported `__split.load`, which fetches and instantiates the rest at
//! once; then it calls the function through a table of the first part
//! (`$t<n>`), which the rest's element segment fills when it is
//! instantiated. Every index of the first part stays what it was, but for
//! defined functions, shifted by one by the imported `load`.
//!
//! The rest defines the moved functions, and imports from the first part
//! (module `p`) every table, memory and global, in their order (so their
//! indices need no change), and the functions its bodies call or take a
//! reference to that stayed in the first part (`$f<index>`).
//!
//! A function stays in the first part when it ran in the profile, when its
//! body is smaller than its stub would be, or when it touches a data or
//! element segment by index (`memory.init`, `data.drop`, `table.init`,
//! `elem.drop`): the segments are the first part's.

use std::collections::{BTreeSet, HashMap};

use wasm_encoder::reencode::{utils, Reencode, RoundtripReencoder};
use wasm_encoder::{
    BlockType, CodeSection, ConstExpr, ElementSection, Elements, EntityType, ExportKind,
    ExportSection, Function, FunctionSection, GlobalSection, GlobalType, ImportSection,
    Instruction, MemArg, MemorySection, MemoryType, Module, RefType, TableSection, TableType,
    TypeSection, ValType,
};
use wasmparser::{
    CompositeInnerType, ExternalKind, FunctionBody, KnownCustom, Name, Operator, Parser, Payload,
    TypeRef,
};

use crate::Result;

#[cfg(test)]
mod tests;

/// The import the stubs call when the rest is not there yet.
pub const LOAD_MODULE: &str = "__split";
pub const LOAD_NAME: &str = "load";
/// The module name the rest imports the first part's exports under.
pub const FIRST_MODULE: &str = "p";
/// The first part's global that says the rest is installed (0 or 1).
pub const LOADED_EXPORT: &str = "$loaded";
/// The instrumented module's memory of marks, one byte a function index.
pub const PROFILE_EXPORT: &str = "$profile";

/// Bodies smaller than this stay in the first part: a stub is about as big.
const SMALLEST_MOVED: usize = 24;

/// A module read once: what the transforms need to know, and the readers
/// of the sections they copy.
pub struct Parsed<'a> {
    bytes: &'a [u8],
    /// For each type index, the number of parameters when it is a function type.
    params: Vec<Option<u32>>,
    imported_functions: u32,
    /// The type of every function, imported and defined, by index.
    function_types: Vec<u32>,
    tables: Vec<TableType>,
    memories: Vec<MemoryType>,
    globals: Vec<GlobalType>,
    bodies: Vec<FunctionBody<'a>>,
    exports: Vec<(String, ExternalKind, u32)>,
    start: Option<u32>,
    /// The sections the first part adds to, each of which must be there.
    sections: BTreeSet<&'static str>,
    /// Function names from the name section, by index.
    pub names: HashMap<u32, String>,
}

impl<'a> Parsed<'a> {
    pub fn new(bytes: &'a [u8]) -> Result<Self> {
        let mut parsed = Parsed {
            bytes,
            params: Vec::new(),
            imported_functions: 0,
            function_types: Vec::new(),
            tables: Vec::new(),
            memories: Vec::new(),
            globals: Vec::new(),
            bodies: Vec::new(),
            exports: Vec::new(),
            start: None,
            sections: BTreeSet::new(),
            names: HashMap::new(),
        };
        let mut reencoder = RoundtripReencoder;
        for payload in Parser::new(0).parse_all(bytes) {
            match payload? {
                Payload::TypeSection(reader) => {
                    for group in reader {
                        for sub in group?.into_types() {
                            parsed.params.push(match &sub.composite_type.inner {
                                CompositeInnerType::Func(ty) => Some(ty.params().len() as u32),
                                _ => None,
                            });
                        }
                    }
                }
                Payload::ImportSection(reader) => {
                    parsed.sections.insert("import");
                    for import in reader {
                        match import?.ty {
                            TypeRef::Func(ty) => {
                                parsed.imported_functions += 1;
                                parsed.function_types.push(ty);
                            }
                            TypeRef::Table(ty) => {
                                parsed.tables.push(reencoder.table_type(ty)?);
                            }
                            TypeRef::Memory(ty) => parsed.memories.push(reencoder.memory_type(ty)),
                            TypeRef::Global(ty) => {
                                parsed.globals.push(reencoder.global_type(ty)?);
                            }
                            TypeRef::Tag(_) => return Err("a module with tags is not split".into()),
                        }
                    }
                }
                Payload::FunctionSection(reader) => {
                    for ty in reader {
                        parsed.function_types.push(ty?);
                    }
                }
                Payload::TableSection(reader) => {
                    parsed.sections.insert("table");
                    for table in reader {
                        parsed.tables.push(reencoder.table_type(table?.ty)?);
                    }
                }
                Payload::MemorySection(reader) => {
                    for memory in reader {
                        parsed.memories.push(reencoder.memory_type(memory?));
                    }
                }
                Payload::GlobalSection(reader) => {
                    parsed.sections.insert("global");
                    for global in reader {
                        parsed.globals.push(reencoder.global_type(global?.ty)?);
                    }
                }
                Payload::TagSection(_) => return Err("a module with tags is not split".into()),
                Payload::ExportSection(reader) => {
                    parsed.sections.insert("export");
                    for export in reader {
                        let export = export?;
                        parsed
                            .exports
                            .push((export.name.to_owned(), export.kind, export.index));
                    }
                }
                Payload::StartSection { func, .. } => parsed.start = Some(func),
                Payload::CodeSectionEntry(body) => parsed.bodies.push(body),
                Payload::CustomSection(section) => {
                    if let KnownCustom::Name(reader) = section.as_known() {
                        for name in reader {
                            if let Name::Function(map) = name? {
                                for naming in map {
                                    let naming = naming?;
                                    parsed.names.insert(naming.index, naming.name.to_owned());
                                }
                            }
                        }
                    }
                }
                _ => {}
            }
        }
        if parsed.memories.len() != 1 {
            return Err(format!(
                "the module has {} memories; one is expected",
                parsed.memories.len()
            )
            .into());
        }
        Ok(parsed)
    }

    /// How many functions the module defines (its bodies).
    pub fn defined(&self) -> u32 {
        self.bodies.len() as u32
    }

    /// Whether a defined function may move to the rest at all.
    fn movable(&self, n: u32) -> Result<bool> {
        let body = &self.bodies[n as usize];
        if body.range().len() < SMALLEST_MOVED {
            return Ok(false);
        }
        let mut reader = body.get_operators_reader()?;
        while !reader.eof() {
            if matches!(
                reader.read()?,
                Operator::MemoryInit { .. }
                    | Operator::DataDrop { .. }
                    | Operator::TableInit { .. }
                    | Operator::ElemDrop { .. }
            ) {
                return Ok(false);
            }
        }
        Ok(true)
    }

    /// The functions a body calls or takes a reference to.
    fn referenced(&self, n: u32) -> Result<Vec<u32>> {
        let mut found = Vec::new();
        let mut reader = self.bodies[n as usize].get_operators_reader()?;
        while !reader.eof() {
            match reader.read()? {
                Operator::Call { function_index }
                | Operator::ReturnCall { function_index }
                | Operator::RefFunc { function_index } => found.push(function_index),
                _ => {}
            }
        }
        Ok(found)
    }

    /// Copies the type section, and finds (or adds) the type `[] -> []`.
    fn types(&self, with_void: bool) -> Result<(TypeSection, u32)> {
        let mut types = TypeSection::new();
        let mut void = None;
        for payload in Parser::new(0).parse_all(self.bytes) {
            if let Payload::TypeSection(reader) = payload? {
                let mut index = 0_u32;
                for group in reader.clone() {
                    for sub in group?.into_types() {
                        if let CompositeInnerType::Func(ty) = &sub.composite_type.inner {
                            if ty.params().is_empty() && ty.results().is_empty() && void.is_none() {
                                void = Some(index);
                            }
                        }
                        index += 1;
                    }
                }
                utils::parse_type_section(&mut RoundtripReencoder, &mut types, reader)?;
            }
        }
        let void = match void {
            Some(index) => index,
            None if with_void => {
                types.ty().function([], []);
                self.params.len() as u32
            }
            None => u32::MAX,
        };
        Ok((types, void))
    }
}

/// The first part's indices: defined functions one further, behind `load`.
struct Shifted {
    imported: u32,
}

impl Reencode for Shifted {
    type Error = std::convert::Infallible;

    fn function_index(&mut self, func: u32) -> u32 {
        if func < self.imported {
            func
        } else {
            func + 1
        }
    }
}

/// The rest's function indices: imports from the first part, then its own.
struct Renumbered {
    functions: HashMap<u32, u32>,
}

impl Reencode for Renumbered {
    type Error = std::convert::Infallible;

    fn function_index(&mut self, func: u32) -> u32 {
        // Every function a moved body names was given an index in `split`.
        self.functions.get(&func).copied().unwrap_or(u32::MAX)
    }
}

/// The first part and the rest, and how many functions each holds.
pub struct Split {
    pub first: Vec<u8>,
    pub rest: Vec<u8>,
    pub moved: usize,
    pub kept: usize,
}

/// Cuts the module in two: the defined functions `keep` says yes to (by
/// their index), and those that may not move, stay in the first part.
pub fn split(parsed: &Parsed<'_>, keep: impl Fn(u32) -> bool) -> Result<Split> {
    for (name, _, _) in &parsed.exports {
        if name.starts_with('$') {
            return Err(format!("the module already exports `{name}`").into());
        }
    }
    for section in ["import", "table", "global", "export"] {
        if !parsed.sections.contains(section) {
            return Err(format!("the module has no {section} section; not split").into());
        }
    }
    let imported = parsed.imported_functions;
    let mut moved = Vec::new();
    for n in 0..parsed.defined() {
        // The start function runs while the first part is instantiated,
        // before the rest could be.
        let starts = parsed.start == Some(imported + n);
        if !starts && !keep(imported + n) && parsed.movable(n)? {
            moved.push(n);
        }
    }
    let slot: HashMap<u32, u32> = moved
        .iter()
        .enumerate()
        .map(|(slot, n)| (*n, slot as u32))
        .collect();

    // What the moved bodies need from the first part.
    let mut needed = BTreeSet::new();
    for n in &moved {
        for function in parsed.referenced(*n)? {
            let is_moved = function >= imported && slot.contains_key(&(function - imported));
            if !is_moved {
                needed.insert(function);
            }
        }
    }

    let first = first_part(parsed, &slot, &needed)?;
    let rest = rest_part(parsed, &moved, &needed)?;
    Ok(Split {
        first,
        rest,
        moved: moved.len(),
        kept: parsed.defined() as usize - moved.len(),
    })
}

fn export_name_of_function(index: u32) -> String {
    format!("$f{index:x}")
}

fn first_part(
    parsed: &Parsed<'_>,
    slot: &HashMap<u32, u32>,
    needed: &BTreeSet<u32>,
) -> Result<Vec<u8>> {
    let imported = parsed.imported_functions;
    let mut shifted = Shifted { imported };
    let (types, void) = parsed.types(true)?;
    let load = imported;
    let moved_table = parsed.tables.len() as u32;
    let loaded = parsed.globals.len() as u32;
    let moved_count = slot.len() as u64;

    let mut module = Module::new();
    module.section(&types);
    for payload in Parser::new(0).parse_all(parsed.bytes) {
        match payload? {
            Payload::ImportSection(reader) => {
                let mut imports = ImportSection::new();
                utils::parse_import_section(&mut shifted, &mut imports, reader)?;
                imports.import(LOAD_MODULE, LOAD_NAME, EntityType::Function(void));
                module.section(&imports);
            }
            Payload::FunctionSection(reader) => {
                let mut functions = FunctionSection::new();
                utils::parse_function_section(&mut shifted, &mut functions, reader)?;
                module.section(&functions);
            }
            Payload::TableSection(reader) => {
                let mut tables = TableSection::new();
                utils::parse_table_section(&mut shifted, &mut tables, reader)?;
                tables.table(moved_table_type(moved_count));
                module.section(&tables);
            }
            Payload::MemorySection(reader) => {
                let mut memories = MemorySection::new();
                utils::parse_memory_section(&mut shifted, &mut memories, reader)?;
                module.section(&memories);
            }
            Payload::GlobalSection(reader) => {
                let mut globals = GlobalSection::new();
                utils::parse_global_section(&mut shifted, &mut globals, reader)?;
                globals.global(
                    GlobalType {
                        val_type: ValType::I32,
                        mutable: true,
                        shared: false,
                    },
                    &ConstExpr::i32_const(0),
                );
                module.section(&globals);
            }
            Payload::ExportSection(reader) => {
                let mut exports = ExportSection::new();
                utils::parse_export_section(&mut shifted, &mut exports, reader)?;
                for table in 0..=moved_table {
                    exports.export(&format!("$t{table}"), ExportKind::Table, table);
                }
                exports.export("$m0", ExportKind::Memory, 0);
                for global in 0..=loaded {
                    exports.export(&format!("$g{global}"), ExportKind::Global, global);
                }
                exports.export(LOADED_EXPORT, ExportKind::Global, loaded);
                for function in needed {
                    exports.export(
                        &export_name_of_function(*function),
                        ExportKind::Func,
                        shifted.function_index(*function),
                    );
                }
                module.section(&exports);
            }
            Payload::StartSection { func, .. } => {
                module.section(&wasm_encoder::StartSection {
                    function_index: shifted.function_index(func),
                });
            }
            Payload::ElementSection(reader) => {
                let mut elements = ElementSection::new();
                utils::parse_element_section(&mut shifted, &mut elements, reader)?;
                module.section(&elements);
            }
            Payload::DataCountSection { count, .. } => {
                module.section(&wasm_encoder::DataCountSection { count });
            }
            Payload::CodeSectionStart { .. } => {
                let mut code = CodeSection::new();
                for (n, body) in parsed.bodies.iter().enumerate() {
                    let n = n as u32;
                    match slot.get(&n) {
                        None => utils::parse_function_body(&mut shifted, &mut code, body.clone())?,
                        Some(slot) => {
                            let ty = parsed.function_types[(imported + n) as usize];
                            let params = parsed.params[ty as usize].unwrap_or(0);
                            let mut stub = Function::new([]);
                            stub.instruction(&Instruction::GlobalGet(loaded));
                            stub.instruction(&Instruction::I32Eqz);
                            stub.instruction(&Instruction::If(BlockType::Empty));
                            stub.instruction(&Instruction::Call(load));
                            stub.instruction(&Instruction::End);
                            for param in 0..params {
                                stub.instruction(&Instruction::LocalGet(param));
                            }
                            stub.instruction(&Instruction::I32Const(*slot as i32));
                            stub.instruction(&Instruction::CallIndirect {
                                type_index: ty,
                                table_index: moved_table,
                            });
                            stub.instruction(&Instruction::End);
                            code.function(&stub);
                        }
                    }
                }
                module.section(&code);
            }
            Payload::DataSection(reader) => {
                let mut data = wasm_encoder::DataSection::new();
                utils::parse_data_section(&mut shifted, &mut data, reader)?;
                module.section(&data);
            }
            // Names, producers and features: nothing a browser needs.
            _ => {}
        }
    }
    Ok(module.finish())
}

fn moved_table_type(count: u64) -> TableType {
    TableType {
        element_type: RefType::FUNCREF,
        minimum: count,
        maximum: Some(count),
        table64: false,
        shared: false,
    }
}

fn rest_part(parsed: &Parsed<'_>, moved: &[u32], needed: &BTreeSet<u32>) -> Result<Vec<u8>> {
    let imported = parsed.imported_functions;
    let (types, _) = parsed.types(false)?;
    let moved_table = parsed.tables.len() as u32;

    let mut imports = ImportSection::new();
    for (index, table) in parsed.tables.iter().enumerate() {
        imports.import(
            FIRST_MODULE,
            &format!("$t{index}"),
            EntityType::Table(*table),
        );
    }
    imports.import(
        FIRST_MODULE,
        &format!("$t{moved_table}"),
        EntityType::Table(moved_table_type(moved.len() as u64)),
    );
    imports.import(FIRST_MODULE, "$m0", EntityType::Memory(parsed.memories[0]));
    for (index, global) in parsed.globals.iter().enumerate() {
        imports.import(
            FIRST_MODULE,
            &format!("$g{index}"),
            EntityType::Global(*global),
        );
    }
    let mut functions_map = HashMap::new();
    for (position, function) in needed.iter().enumerate() {
        imports.import(
            FIRST_MODULE,
            &export_name_of_function(*function),
            EntityType::Function(parsed.function_types[*function as usize]),
        );
        functions_map.insert(*function, position as u32);
    }
    let own_start = needed.len() as u32;
    let mut functions = FunctionSection::new();
    for (position, n) in moved.iter().enumerate() {
        functions_map.insert(imported + n, own_start + position as u32);
        functions.function(parsed.function_types[(imported + n) as usize]);
    }
    let mut renumbered = Renumbered {
        functions: functions_map,
    };

    // The rest fills the first part's table of moved functions; functions
    // its bodies take a reference to are declared.
    let mut elements = ElementSection::new();
    let own: Vec<u32> = (0..moved.len() as u32).map(|k| own_start + k).collect();
    elements.active(
        Some(moved_table),
        &ConstExpr::i32_const(0),
        Elements::Functions(own.into()),
    );
    let mut referenced = BTreeSet::new();
    let mut code = CodeSection::new();
    for n in moved {
        let body = &parsed.bodies[*n as usize];
        let mut reader = body.get_operators_reader()?;
        while !reader.eof() {
            if let Operator::RefFunc { function_index } = reader.read()? {
                referenced.insert(renumbered.function_index(function_index));
            }
        }
        utils::parse_function_body(&mut renumbered, &mut code, body.clone())?;
    }
    if !referenced.is_empty() {
        let referenced: Vec<u32> = referenced.into_iter().collect();
        elements.declared(Elements::Functions(referenced.into()));
    }

    let mut module = Module::new();
    module.section(&types);
    module.section(&imports);
    module.section(&functions);
    module.section(&elements);
    module.section(&code);
    Ok(module.finish())
}

/// The module with one more memory, `$profile`, and a prologue in every
/// defined function that writes 1 at its index there.
pub fn instrument(parsed: &Parsed<'_>) -> Result<Vec<u8>> {
    let profile_memory = parsed.memories.len() as u32;
    let functions = parsed.imported_functions + parsed.defined();
    let pages = u64::from(functions / 65_536 + 1);
    let mut reencoder = RoundtripReencoder;
    let mut module = Module::new();
    let mut saw_memory_section = false;
    for payload in Parser::new(0).parse_all(parsed.bytes) {
        match payload? {
            Payload::CodeSectionStart { .. } => {
                let mut code = CodeSection::new();
                for (n, body) in parsed.bodies.iter().enumerate() {
                    let index = parsed.imported_functions + n as u32;
                    let mut function = reencoder.new_function_with_parsed_locals(body)?;
                    function.instruction(&Instruction::I32Const(0));
                    function.instruction(&Instruction::I32Const(1));
                    function.instruction(&Instruction::I32Store8(MemArg {
                        offset: u64::from(index),
                        align: 0,
                        memory_index: profile_memory,
                    }));
                    let mut reader = body.get_operators_reader()?;
                    while !reader.eof() {
                        function.instruction(&reencoder.parse_instruction(&mut reader)?);
                    }
                    code.function(&function);
                }
                module.section(&code);
            }
            Payload::CodeSectionEntry(_) => {}
            Payload::MemorySection(reader) => {
                saw_memory_section = true;
                let mut memories = MemorySection::new();
                utils::parse_memory_section(&mut reencoder, &mut memories, reader)?;
                memories.memory(MemoryType {
                    minimum: pages,
                    maximum: Some(pages),
                    memory64: false,
                    shared: false,
                    page_size_log2: None,
                });
                module.section(&memories);
            }
            Payload::ExportSection(reader) => {
                if !saw_memory_section {
                    return Err("the module imports its memory; not instrumented".into());
                }
                let mut exports = ExportSection::new();
                utils::parse_export_section(&mut reencoder, &mut exports, reader)?;
                exports.export(PROFILE_EXPORT, ExportKind::Memory, profile_memory);
                module.section(&exports);
            }
            Payload::Version { .. } | Payload::End(_) => {}
            other => {
                if let Some((id, range)) = other.as_section() {
                    module.section(&wasm_encoder::RawSection {
                        id,
                        data: &parsed.bytes[range],
                    });
                }
            }
        }
    }
    Ok(module.finish())
}
