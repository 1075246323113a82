//! Compiling a survey into the form engine: every item becomes a node,
//! every expression is parsed and every name it uses checked, and the nodes
//! are ordered so that each comes after what it depends on (cycles refused).

use crate::expression::Expression;
use crate::localized::Localized;
use crate::survey::{Item, QuestionKind, SurveyDefinition};

use super::{FormEngine, FormError, Map, Node, NodeKind, Scope};

fn expression_error(
    item: &str,
    column: &str,
    source: &str,
    error: &crate::expression::ExpressionError,
) -> FormError {
    FormError {
        item: item.to_owned(),
        message: Localized::new(
            format!("biểu thức {column} \"{source}\" sai: {}", error.message.vi),
            format!(
                "the {column} expression \"{source}\" is wrong: {}",
                error.message.en
            ),
        ),
    }
}

fn parse(
    item: &str,
    column: &str,
    source: &Option<String>,
) -> Result<Option<Expression>, FormError> {
    match source.as_deref().map(str::trim) {
        None | Some("") => Ok(None),
        Some(text) => Expression::parse(text)
            .map(Some)
            .map_err(|error| expression_error(item, column, text, &error)),
    }
}

impl FormEngine {
    /// Compiles `survey`, or lists every reason it cannot run.
    pub fn compile(survey: &SurveyDefinition) -> Result<FormEngine, Vec<FormError>> {
        let mut engine = FormEngine {
            nodes: Vec::new(),
            by_name: Map::default(),
            scopes: vec![Scope {
                repeat_chain: Vec::new(),
                parent: None,
            }],
            rank: Vec::new(),
            order: Vec::new(),
            dependents: Vec::new(),
            instance_name: None,
            triggered_by: Vec::new(),
            computed: Vec::new(),
        };
        let mut errors = Vec::new();
        engine.add_items(&survey.items, 0, None, &mut errors);
        engine.link(&mut errors);
        engine.instance_name = parse("instance_name", "instance_name", &survey.instance_name)
            .unwrap_or_else(|error| {
                errors.push(error);
                None
            });
        if let Some(expression) = &engine.instance_name {
            for name in expression.references() {
                let known = engine
                    .by_name
                    .get(name)
                    .is_some_and(|&node| matches!(engine.nodes[node].kind, NodeKind::Question(_)));
                if !known {
                    errors.push(FormError {
                        item: "instance_name".to_owned(),
                        message: Localized::new(
                            format!("không có câu hỏi tên \"{name}\""),
                            format!("there is no question named \"{name}\""),
                        ),
                    });
                }
            }
        }
        if errors.is_empty() {
            Ok(engine)
        } else {
            Err(errors)
        }
    }

    fn add_items(
        &mut self,
        items: &[Item],
        scope: usize,
        parent: Option<usize>,
        errors: &mut Vec<FormError>,
    ) {
        for item in items {
            let index = self.nodes.len();
            let name = item.id().to_owned();
            if name.trim().is_empty() {
                errors.push(FormError {
                    item: format!("#{}", index + 1),
                    message: Localized::new("thiếu tên", "the name is missing"),
                });
            }
            if self.by_name.insert(name.clone(), index).is_some() {
                errors.push(FormError {
                    item: name.clone(),
                    message: Localized::new("tên bị trùng", "the name is used twice"),
                });
            }
            let node = match item {
                Item::Question(question) => {
                    errors.extend(
                        crate::safeguarding::check_disclosure(question)
                            .into_iter()
                            .map(|message| FormError {
                                item: name.clone(),
                                message,
                            }),
                    );
                    let mut parsed = |column: &str, source: &Option<String>| {
                        parse(&name, column, source).unwrap_or_else(|error| {
                            errors.push(error);
                            None
                        })
                    };
                    // A calculation on an asked question is computed all
                    // along, or, with a trigger, only when a trigger changes.
                    let (calculation, triggered) = match &question.kind {
                        QuestionKind::Calculate { calculation } => {
                            (parsed("calculation", &Some(calculation.clone())), None)
                        }
                        _ if question.trigger.is_empty() => {
                            (parsed("calculation", &question.calculation), None)
                        }
                        _ => (None, parsed("calculation", &question.calculation)),
                    };
                    let read_only_if = parsed("read_only", &question.read_only_if);
                    Node {
                        name: name.clone(),
                        kind: NodeKind::Question(question.kind.clone()),
                        scope,
                        inner_scope: None,
                        parent,
                        relevant: parse(&name, "relevant", &question.relevant).unwrap_or_else(
                            |error| {
                                errors.push(error);
                                None
                            },
                        ),
                        constraint: parse(&name, "constraint", &question.constraint)
                            .unwrap_or_else(|error| {
                                errors.push(error);
                                None
                            }),
                        calculation,
                        choice_filter: match question.choice_filter.as_deref().map(str::trim) {
                            None | Some("") => None,
                            Some(text) => Expression::parse_choice_filter(text)
                                .map_err(|error| {
                                    errors.push(expression_error(
                                        &name,
                                        "choice_filter",
                                        text,
                                        &error,
                                    ));
                                })
                                .ok(),
                        },
                        required: question.required,
                        repeat_count: None,
                        seed: parse(
                            &name,
                            "seed",
                            &question
                                .randomize
                                .as_ref()
                                .and_then(|randomize| randomize.seed.clone()),
                        )
                        .unwrap_or_else(|error| {
                            errors.push(error);
                            None
                        }),
                        quoted: [Some(&question.label), question.hint.as_ref()]
                            .into_iter()
                            .flatten()
                            .flat_map(|text| [&text.vi, &text.en])
                            .flat_map(|text| crate::expression::names_in_text(text))
                            .collect(),
                        required_if: parse(&name, "required", &question.required_if)
                            .unwrap_or_else(|error| {
                                errors.push(error);
                                None
                            }),
                        read_only_if,
                        triggered,
                        trigger_names: question.trigger.clone(),
                    }
                }
                Item::Group(group) | Item::Repeat(group) => {
                    let is_repeat = matches!(item, Item::Repeat(_));
                    Node {
                        name: name.clone(),
                        kind: if is_repeat {
                            NodeKind::Repeat
                        } else {
                            NodeKind::Group
                        },
                        scope,
                        inner_scope: None,
                        parent,
                        relevant: parse(&name, "relevant", &group.relevant).unwrap_or_else(
                            |error| {
                                errors.push(error);
                                None
                            },
                        ),
                        constraint: None,
                        calculation: None,
                        choice_filter: None,
                        required: false,
                        required_if: None,
                        seed: None,
                        read_only_if: None,
                        triggered: None,
                        trigger_names: Vec::new(),
                        quoted: [&group.label.vi, &group.label.en]
                            .into_iter()
                            .flat_map(|text| crate::expression::names_in_text(text))
                            .collect(),
                        repeat_count: if is_repeat {
                            parse(&name, "repeat_count", &group.repeat_count).unwrap_or_else(
                                |error| {
                                    errors.push(error);
                                    None
                                },
                            )
                        } else {
                            None
                        },
                    }
                }
            };
            self.nodes.push(node);
            match item {
                Item::Question(_) => {}
                Item::Group(group) => self.add_items(&group.items, scope, Some(index), errors),
                Item::Repeat(group) => {
                    let mut repeat_chain = self.scopes[scope].repeat_chain.clone();
                    repeat_chain.push(name.clone());
                    let inner = self.scopes.len();
                    self.scopes.push(Scope {
                        repeat_chain,
                        parent: Some(scope),
                    });
                    self.nodes[index].inner_scope = Some(inner);
                    self.add_items(&group.items, inner, Some(index), errors);
                }
            }
        }
    }

    /// Why node `index` cannot read `name` when a trigger sets it, if it
    /// cannot: no such question, a group, or a repeat it is not in.
    fn trigger_problem(&self, index: usize, name: &str) -> Option<Localized> {
        let Some(&source) = self.by_name.get(name) else {
            return Some(Localized::new(
                format!("không có câu hỏi tên \"{name}\""),
                format!("there is no question named \"{name}\""),
            ));
        };
        let (node, source_node) = (&self.nodes[index], &self.nodes[source]);
        if !matches!(source_node.kind, NodeKind::Question(_)) {
            return Some(Localized::new(
                format!("\"{name}\" là một nhóm, không phải câu hỏi"),
                format!("\"{name}\" is a group, not a question"),
            ));
        }
        let visible = self.scope_contains(source_node.scope, node.scope)
            || self.scope_contains(node.scope, source_node.scope);
        (!visible).then(|| {
            Localized::new(
                format!("không dùng được \"{name}\" vì nó nằm trong một nhóm lặp khác"),
                format!("cannot use \"{name}\": it is inside a repeat this item is not in"),
            )
        })
    }

    fn scope_contains(&self, outer: usize, mut inner: usize) -> bool {
        loop {
            if inner == outer {
                return true;
            }
            match self.scopes[inner].parent {
                Some(parent) => inner = parent,
                None => return false,
            }
        }
    }

    fn link(&mut self, errors: &mut Vec<FormError>) {
        let count = self.nodes.len();
        self.dependents = vec![Vec::new(); count];
        let mut incoming = vec![0_usize; count];
        for (index, node) in self.nodes.iter().enumerate() {
            // Words quote answers only to show them: a name must exist,
            // as pyxform requires, but adds no dependency.
            let mut seen = std::collections::HashSet::new();
            for name in &node.quoted {
                if seen.insert(name) && !self.by_name.contains_key(name) {
                    errors.push(FormError {
                        item: node.name.clone(),
                        message: Localized::new(
                            format!("lời của nó nhắc tới ${{{name}}}, nhưng không có câu hỏi tên \"{name}\""),
                            format!("its words quote ${{{name}}}, but there is no question named \"{name}\""),
                        ),
                    });
                }
            }
            let mut sources: Vec<usize> = node.parent.into_iter().collect();
            let expressions = [
                &node.relevant,
                &node.constraint,
                &node.calculation,
                &node.choice_filter,
                &node.required_if,
                &node.repeat_count,
                &node.seed,
                &node.read_only_if,
            ];
            for expression in expressions.into_iter().flatten() {
                for name in expression.references() {
                    match self.by_name.get(name) {
                        None => errors.push(FormError {
                            item: node.name.clone(),
                            message: Localized::new(
                                format!("không có câu hỏi tên \"{name}\""),
                                format!("there is no question named \"{name}\""),
                            ),
                        }),
                        Some(&source) => {
                            let source_node = &self.nodes[source];
                            // Visible: in this item's repeat or around it;
                            // or, read as all its values (`sum(${x})`), in
                            // a repeat inside this item's.
                            let visible = self.scope_contains(source_node.scope, node.scope)
                                || self.scope_contains(node.scope, source_node.scope);
                            if !visible {
                                errors.push(FormError {
                                    item: node.name.clone(),
                                    message: Localized::new(
                                        format!("không dùng được \"{name}\" vì nó nằm trong một nhóm lặp khác"),
                                        format!("cannot use \"{name}\": it is inside a repeat this item is not in"),
                                    ),
                                });
                            } else if source_node.kind == NodeKind::Group {
                                errors.push(FormError {
                                    item: node.name.clone(),
                                    message: Localized::new(
                                        format!("\"{name}\" là một nhóm, không phải câu hỏi"),
                                        format!("\"{name}\" is a group, not a question"),
                                    ),
                                });
                            } else if source != index {
                                sources.push(source);
                            }
                        }
                    }
                }
            }
            // What a trigger sets is read when the trigger changes, not
            // recomputed along: its names must exist, but add no order.
            let set_names = node
                .triggered
                .iter()
                .flat_map(|expression| expression.references());
            for name in set_names.chain(node.trigger_names.iter()) {
                if let Some(problem) = self.trigger_problem(index, name) {
                    errors.push(FormError {
                        item: node.name.clone(),
                        message: problem,
                    });
                }
            }
            // Indices: the shared stable sort gives what an unstable one would.
            crate::sorting::sort(&mut sources);
            sources.dedup();
            for source in sources {
                self.dependents[source].push(index);
                incoming[index] += 1;
            }
        }
        // Kahn's algorithm, taking nodes in document order when free.
        // Filled with `extend`, not `collect`: collecting a `BTreeSet` sorts
        // first, with its own copy of the standard sort in the tablet's wasm
        // (see `crate::sorting`).
        let mut ready = std::collections::BTreeSet::<usize>::new();
        ready.extend((0..count).filter(|index| incoming[*index] == 0));
        while let Some(next) = ready.pop_first() {
            self.order.push(next);
            for &dependent in &self.dependents[next] {
                incoming[dependent] -= 1;
                if incoming[dependent] == 0 {
                    ready.insert(dependent);
                }
            }
        }
        if self.order.len() < count {
            let stuck: Vec<&str> = (0..count)
                .filter(|index| incoming[*index] > 0)
                .map(|index| self.nodes[index].name.as_str())
                .collect();
            errors.push(FormError {
                item: stuck.join(", "),
                message: Localized::new(
                    "các biểu thức phụ thuộc vòng tròn vào nhau",
                    "these expressions depend on each other in a circle",
                ),
            });
        }
        self.triggered_by = vec![Vec::new(); count];
        for (index, node) in self.nodes.iter().enumerate() {
            for name in &node.trigger_names {
                if let Some(&trigger) = self.by_name.get(name) {
                    self.triggered_by[trigger].push(index);
                }
            }
            if node.calculation.is_some()
                && matches!(&node.kind, NodeKind::Question(kind) if kind.takes_answer())
            {
                self.computed.push(index);
            }
        }
        self.rank = vec![0; count];
        for (position, &node) in self.order.iter().enumerate() {
            self.rank[node] = position;
        }
    }
}
