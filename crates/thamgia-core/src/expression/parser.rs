//! Turns tokens into a tree, with XPath 1.0's operator precedence, from
//! loosest to tightest: `or`, `and`, `=` `!=`, `<` `<=` `>` `>=`, `+` `-`,
//! `*` `div` `mod`, unary `-`.
//!
//! Chains of operators of one level (`a + b - c`) are kept as a flat list
//! rather than a left-leaning tree, so the tree's depth grows only with
//! parentheses and function calls, which are limited to [`MAX_NESTING`]:
//! however long or strange the text, neither parsing, evaluating nor
//! dropping the tree can overflow the stack.

use super::functions::Function;
use super::lexer::{Token, TokenKind};
use super::ExpressionError;

/// How deeply parentheses and function calls may nest. Real forms rarely go
/// beyond five; the limit keeps recursion bounded on any input.
pub(super) const MAX_NESTING: usize = 64;

/// A node of the expression tree.
#[derive(Debug, Clone, PartialEq)]
pub(super) enum Node {
    Number(f64),
    Text(String),
    /// `${name}`.
    Reference(String),
    /// `.`.
    CurrentValue,
    /// `position(..)`: the 1-based number of the repeat instance being
    /// evaluated.
    Position,
    /// A bare name in a `choice_filter`: a column of the choice being
    /// filtered (`cf`, `name`, `label::English`).
    ChoiceColumn(String),
    /// Unary minus.
    Negate(Box<Node>),
    /// `a or b or …`, evaluated left to right and stopping at the first true.
    Or(Vec<Node>),
    /// `a and b and …`, evaluated left to right and stopping at the first false.
    And(Vec<Node>),
    /// A left-associative chain of comparison or arithmetic operators of the
    /// same precedence level: `first op₁ rest₁ op₂ rest₂ …`.
    Chain {
        first: Box<Node>,
        rest: Vec<(BinaryOperator, Node)>,
    },
    /// A function call; its arity was checked when parsing.
    Call {
        function: Function,
        arguments: Vec<Node>,
    },
}

impl Node {
    /// Calls `visit` on this node and every node below it, in source order.
    pub(super) fn visit(&self, visit: &mut impl FnMut(&Node)) {
        visit(self);
        match self {
            Node::Number(_)
            | Node::Text(_)
            | Node::Reference(_)
            | Node::CurrentValue
            | Node::Position
            | Node::ChoiceColumn(_) => {}
            Node::Negate(operand) => operand.visit(visit),
            Node::Or(operands) | Node::And(operands) => {
                operands.iter().for_each(|operand| operand.visit(visit));
            }
            Node::Chain { first, rest } => {
                first.visit(visit);
                rest.iter().for_each(|(_, operand)| operand.visit(visit));
            }
            Node::Call { arguments, .. } => {
                arguments.iter().for_each(|argument| argument.visit(visit));
            }
        }
    }
}

/// A binary operator other than `and` and `or`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) enum BinaryOperator {
    Equal,
    NotEqual,
    Less,
    LessOrEqual,
    Greater,
    GreaterOrEqual,
    Add,
    Subtract,
    Multiply,
    Divide,
    Modulo,
}

/// Parses a whole expression; `length` is the source's length in characters,
/// where "the end" is reported. With `choice_columns`, a bare name is a
/// column of the choice being filtered (a `choice_filter`); elsewhere it is
/// refused.
pub(super) fn parse(
    tokens: &[Token],
    length: usize,
    choice_columns: bool,
) -> Result<Node, ExpressionError> {
    let mut parser = Parser {
        tokens,
        index: 0,
        depth: 0,
        length,
        choice_columns,
    };
    if tokens.is_empty() {
        return Err(ExpressionError::new(
            0,
            "Biểu thức đang trống. Hãy viết một biểu thức hoặc để trống cả ô.",
            "The expression is empty. Write an expression, or leave the whole cell empty.",
        ));
    }
    let root = parser.or_expression()?;
    match parser.peek() {
        None => Ok(root),
        Some(token) if token.kind == TokenKind::RightParenthesis => Err(ExpressionError::new(
            token.position,
            "Dấu \")\" này không có dấu \"(\" tương ứng. Hãy xoá nó hoặc thêm \"(\".",
            "This \")\" has no matching \"(\". Remove it or add a \"(\".",
        )),
        Some(token) => Err(unexpected(token)),
    }
}

struct Parser<'tokens> {
    tokens: &'tokens [Token],
    index: usize,
    depth: usize,
    length: usize,
    choice_columns: bool,
}

impl Parser<'_> {
    fn peek(&self) -> Option<&Token> {
        self.tokens.get(self.index)
    }

    fn peek_kind(&self) -> Option<&TokenKind> {
        self.peek().map(|token| &token.kind)
    }

    fn advance(&mut self) -> Option<&Token> {
        let token = self.tokens.get(self.index);
        self.index += 1;
        token
    }

    /// Consumes the next token if it is the operator word `word`.
    fn eat_word(&mut self, word: &str) -> bool {
        let found = matches!(self.peek_kind(), Some(TokenKind::Word(next)) if next == word);
        if found {
            self.index += 1;
        }
        found
    }

    fn or_expression(&mut self) -> Result<Node, ExpressionError> {
        let mut operands = vec![self.and_expression()?];
        while self.eat_word("or") {
            operands.push(self.and_expression()?);
        }
        Ok(flatten(operands, Node::Or))
    }

    fn and_expression(&mut self) -> Result<Node, ExpressionError> {
        let mut operands = vec![self.equality_expression()?];
        while self.eat_word("and") {
            operands.push(self.equality_expression()?);
        }
        Ok(flatten(operands, Node::And))
    }

    fn equality_expression(&mut self) -> Result<Node, ExpressionError> {
        self.chain(Parser::relational_expression, |kind| match kind {
            TokenKind::Equal => Some(BinaryOperator::Equal),
            TokenKind::NotEqual => Some(BinaryOperator::NotEqual),
            _ => None,
        })
    }

    fn relational_expression(&mut self) -> Result<Node, ExpressionError> {
        self.chain(Parser::additive_expression, |kind| match kind {
            TokenKind::Less => Some(BinaryOperator::Less),
            TokenKind::LessOrEqual => Some(BinaryOperator::LessOrEqual),
            TokenKind::Greater => Some(BinaryOperator::Greater),
            TokenKind::GreaterOrEqual => Some(BinaryOperator::GreaterOrEqual),
            _ => None,
        })
    }

    fn additive_expression(&mut self) -> Result<Node, ExpressionError> {
        self.chain(Parser::multiplicative_expression, |kind| match kind {
            TokenKind::Plus => Some(BinaryOperator::Add),
            TokenKind::Minus => Some(BinaryOperator::Subtract),
            _ => None,
        })
    }

    fn multiplicative_expression(&mut self) -> Result<Node, ExpressionError> {
        self.chain(Parser::unary_expression, |kind| match kind {
            TokenKind::Star => Some(BinaryOperator::Multiply),
            TokenKind::Word(word) if word == "div" => Some(BinaryOperator::Divide),
            TokenKind::Word(word) if word == "mod" => Some(BinaryOperator::Modulo),
            _ => None,
        })
    }

    /// Parses `operand (operator operand)*` for one precedence level.
    fn chain(
        &mut self,
        operand: fn(&mut Self) -> Result<Node, ExpressionError>,
        operator: fn(&TokenKind) -> Option<BinaryOperator>,
    ) -> Result<Node, ExpressionError> {
        let first = operand(self)?;
        let mut rest = Vec::new();
        while let Some(found) = self.peek_kind().and_then(operator) {
            self.index += 1;
            rest.push((found, operand(self)?));
        }
        if rest.is_empty() {
            Ok(first)
        } else {
            Ok(Node::Chain {
                first: Box::new(first),
                rest,
            })
        }
    }

    /// Parses `-* primary`. Minus signs are counted rather than recursed
    /// into; two of them still convert to a number (`--'3'` is 3), so an even
    /// count keeps two negations.
    fn unary_expression(&mut self) -> Result<Node, ExpressionError> {
        let mut minus_signs = 0_usize;
        while self.peek_kind() == Some(&TokenKind::Minus) {
            self.index += 1;
            minus_signs += 1;
        }
        let primary = self.primary_expression()?;
        Ok(match minus_signs {
            0 => primary,
            count if count % 2 == 1 => Node::Negate(Box::new(primary)),
            _ => Node::Negate(Box::new(Node::Negate(Box::new(primary)))),
        })
    }

    fn primary_expression(&mut self) -> Result<Node, ExpressionError> {
        let length = self.length;
        let Some(token) = self.advance() else {
            return Err(ExpressionError::new(
                length,
                "Biểu thức kết thúc quá sớm: còn thiếu một giá trị ở cuối.",
                "The expression ends too early: a value is missing at the end.",
            ));
        };
        let token = token.clone();
        match &token.kind {
            TokenKind::Number(number) => Ok(Node::Number(*number)),
            TokenKind::Text(text) => Ok(Node::Text(text.clone())),
            TokenKind::Reference(name) => Ok(Node::Reference(name.clone())),
            TokenKind::Dot => Ok(Node::CurrentValue),
            TokenKind::LeftParenthesis => {
                self.enter(&token)?;
                let inner = self.or_expression()?;
                self.expect_closing(&token)?;
                self.depth -= 1;
                Ok(inner)
            }
            TokenKind::Word(name) if matches!(name.as_str(), "and" | "or" | "div" | "mod") => {
                Err(unexpected(&token))
            }
            TokenKind::Word(name)
                if self.choice_columns && self.peek_kind() != Some(&TokenKind::LeftParenthesis) =>
            {
                Ok(Node::ChoiceColumn(name.to_lowercase()))
            }
            TokenKind::Word(name) => {
                if self.peek_kind() != Some(&TokenKind::LeftParenthesis) {
                    return Err(ExpressionError::new(
                        token.position,
                        format!(
                            "\"{name}\" không phải là phép toán hay hàm. Nếu là chữ, hãy đặt trong \
                             dấu nháy: '{name}'. Nếu là câu hỏi, hãy viết ${{{name}}}."
                        ),
                        format!(
                            "\"{name}\" is not an operator or a function. If it is text, put it \
                             in quotes: '{name}'. If it is a question, write ${{{name}}}."
                        ),
                    ));
                }
                let Some(function) = Function::from_name(name) else {
                    return Err(ExpressionError::new(
                        token.position,
                        format!(
                            "Hàm \"{name}\" không được hỗ trợ. Hãy kiểm tra chính tả \
                             hoặc dùng một hàm khác."
                        ),
                        format!(
                            "Function \"{name}\" is not supported. Check its spelling \
                             or use another function."
                        ),
                    ));
                };
                let opening = self.advance().cloned().unwrap_or_else(|| token.clone());
                if function == Function::Position {
                    // Only `position(..)`, the instance of the repeat
                    // being evaluated, as forms write it.
                    let parent = self.advance().map(|token| token.kind.clone());
                    let closing = self.advance().map(|token| token.kind.clone());
                    if parent != Some(TokenKind::DotDot)
                        || closing != Some(TokenKind::RightParenthesis)
                    {
                        return Err(ExpressionError::new(
                            token.position,
                            "Hàm position chỉ dùng được như position(..): số thứ tự của lần lặp đang trả lời.",
                            "position can only be used as position(..): the number of the repeat instance being answered.",
                        ));
                    }
                    return Ok(Node::Position);
                }
                self.enter(&opening)?;
                let arguments = self.arguments(&opening)?;
                self.depth -= 1;
                function.check_arity(arguments.len(), token.position)?;
                if function == Function::Regex {
                    // A pattern written out is checked now, where the author
                    // can still fix it.
                    if let Some(Node::Text(pattern)) = arguments.get(1) {
                        if super::patterns::compile_pattern(pattern).is_none() {
                            return Err(ExpressionError::new(
                                token.position,
                                format!("Mẫu \"{pattern}\" của hàm regex không hợp lệ. Hãy kiểm tra các dấu ngoặc và ký tự đặc biệt."),
                                format!("The pattern \"{pattern}\" of regex is not valid. Check its brackets and special characters."),
                            ));
                        }
                    }
                }
                Ok(Node::Call {
                    function,
                    arguments,
                })
            }
            _ => Err(unexpected(&token)),
        }
    }

    /// Parses `a, b, …)` after a function's opening parenthesis.
    fn arguments(&mut self, opening: &Token) -> Result<Vec<Node>, ExpressionError> {
        let mut arguments = Vec::new();
        if self.peek_kind() == Some(&TokenKind::RightParenthesis) {
            self.index += 1;
            return Ok(arguments);
        }
        loop {
            arguments.push(self.or_expression()?);
            if self.peek_kind() == Some(&TokenKind::Comma) {
                self.index += 1;
            } else {
                self.expect_closing(opening)?;
                return Ok(arguments);
            }
        }
    }

    /// Goes one level deeper into parentheses, refusing to go too deep.
    fn enter(&mut self, opening: &Token) -> Result<(), ExpressionError> {
        self.depth += 1;
        if self.depth > MAX_NESTING {
            return Err(ExpressionError::new(
                opening.position,
                format!(
                    "Biểu thức lồng nhau quá sâu (quá {MAX_NESTING} lớp ngoặc). \
                     Hãy viết lại cho đơn giản hơn."
                ),
                format!(
                    "The expression is nested too deeply (over {MAX_NESTING} levels of \
                     parentheses). Write it more simply."
                ),
            ));
        }
        Ok(())
    }

    /// Consumes the `)` that closes `opening`, or explains what is wrong.
    fn expect_closing(&mut self, opening: &Token) -> Result<(), ExpressionError> {
        match self.peek() {
            Some(token) if token.kind == TokenKind::RightParenthesis => {
                self.index += 1;
                Ok(())
            }
            Some(token) => Err(unexpected(token)),
            None => Err(ExpressionError::new(
                opening.position,
                "Dấu \"(\" này chưa được đóng. Hãy thêm \")\".",
                "This \"(\" is never closed. Add a \")\".",
            )),
        }
    }
}

/// One operand stays itself; several are joined by `join`.
fn flatten(mut operands: Vec<Node>, join: fn(Vec<Node>) -> Node) -> Node {
    if operands.len() == 1 {
        if let Some(only) = operands.pop() {
            return only;
        }
    }
    join(operands)
}

fn unexpected(token: &Token) -> ExpressionError {
    let text = &token.text;
    ExpressionError::new(
        token.position,
        format!(
            "Không mong đợi \"{text}\" ở đây. Hãy kiểm tra các phép toán và dấu ngoặc quanh nó."
        ),
        format!("\"{text}\" is not expected here. Check the operators and parentheses around it."),
    )
}
