//! Imports every `.xlsx` of a folder as the server would, and prints for
//! each whether it imports (with its questions and warnings) or what
//! refuses it: for trying the importer on forms from elsewhere (an
//! organisation's questionnaires, another tool's examples) without a
//! server. Nothing is stored.
//!
//! `cargo run -p thamgia-server --example import_xlsforms -- FOLDER [--trim] [--verbose] [--json OUT]`
//!
//! With `--json OUT`, each imported survey (and its warnings) is written to
//! `OUT/<file>.thamgia.json`, for `tools/xlsform/compare_with_pyxform.py`
//! to compare with what pyxform reads from the same file.

use std::path::PathBuf;

use thamgia_core::{Item, SurveyDefinition};
use thamgia_server::xlsform::{import_xlsform_with, ImportOptions};

fn questions(items: &[Item]) -> usize {
    items
        .iter()
        .map(|item| match item {
            Item::Question(_) => 1,
            Item::Group(group) | Item::Repeat(group) => questions(&group.items),
        })
        .sum()
}

fn count(survey: &SurveyDefinition) -> usize {
    questions(&survey.items)
}

fn main() -> std::io::Result<()> {
    let arguments: Vec<String> = std::env::args().skip(1).collect();
    let trim = arguments.iter().any(|argument| argument == "--trim");
    let verbose = arguments.iter().any(|argument| argument == "--verbose");
    let json_dir = arguments
        .iter()
        .position(|argument| argument == "--json")
        .and_then(|at| arguments.get(at + 1))
        .map(PathBuf::from);
    let Some(folder) = arguments.iter().enumerate().find_map(|(at, argument)| {
        let is_json_dir = at > 0 && arguments[at - 1] == "--json";
        (!argument.starts_with("--") && !is_json_dir).then_some(argument)
    }) else {
        eprintln!("usage: import_xlsforms FOLDER [--trim] [--verbose] [--json OUT]");
        std::process::exit(2);
    };
    if let Some(dir) = &json_dir {
        std::fs::create_dir_all(dir)?;
    }
    let mut files: Vec<PathBuf> = std::fs::read_dir(folder)?
        .filter_map(|entry| entry.ok().map(|entry| entry.path()))
        .filter(|path| {
            path.extension()
                .is_some_and(|extension| extension == "xlsx")
        })
        .collect();
    files.sort();
    let mut imported = 0;
    for path in &files {
        let bytes = std::fs::read(path)?;
        let name = path
            .file_name()
            .map(|name| name.to_string_lossy().into_owned())
            .unwrap_or_default();
        let options = ImportOptions {
            file_name: Some(&name),
            trim,
        };
        match import_xlsform_with(&bytes, options) {
            Ok(form) => {
                imported += 1;
                println!(
                    "✓ {name}: {} questions, {} warnings",
                    count(&form.survey),
                    form.warnings.len()
                );
                if let Some(dir) = &json_dir {
                    let warnings: Vec<String> = form
                        .warnings
                        .iter()
                        .map(|warning| warning.message.en.clone())
                        .collect();
                    let written = serde_json::to_vec_pretty(&serde_json::json!({
                        "survey": form.survey,
                        "warnings": warnings,
                    }))
                    .map_err(std::io::Error::other)?;
                    std::fs::write(dir.join(format!("{name}.thamgia.json")), written)?;
                }
                if verbose {
                    for warning in &form.warnings {
                        println!(
                            "    ~ {} {:?}: {}",
                            warning.sheet, warning.row, warning.message.en
                        );
                    }
                }
            }
            Err(problems) => {
                println!("✗ {name}: {} problems", problems.len());
                let shown = if verbose { problems.len() } else { 3 };
                for problem in problems.iter().take(shown) {
                    println!(
                        "    - {} {:?}: {}",
                        problem.sheet, problem.row, problem.message.en
                    );
                }
            }
        }
    }
    println!("{imported} of {} imported", files.len());
    Ok(())
}
