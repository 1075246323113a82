//! Cuts an expression's text into tokens, each with its position in
//! characters so errors can point at it.

use super::ExpressionError;

/// What a token is.
#[derive(Debug, Clone, PartialEq)]
pub(super) enum TokenKind {
    /// A number literal such as `12` or `3.5`.
    Number(f64),
    /// A string literal, without its quotes.
    Text(String),
    /// `${name}`, holding the name.
    Reference(String),
    /// `.`, the current question's value.
    Dot,
    /// `..`, only understood in `position(..)`.
    DotDot,
    /// A bare word: an operator name (`and`, `or`, `div`, `mod`) or a
    /// function name; the parser tells which from where it stands.
    Word(String),
    LeftParenthesis,
    RightParenthesis,
    Comma,
    Plus,
    Minus,
    Star,
    Equal,
    NotEqual,
    Less,
    LessOrEqual,
    Greater,
    GreaterOrEqual,
}

/// A token and where it was found.
#[derive(Debug, Clone, PartialEq)]
pub(super) struct Token {
    pub(super) kind: TokenKind,
    /// 0-based offset in characters of the token's first character.
    pub(super) position: usize,
    /// The token as written, to quote it in error messages.
    pub(super) text: String,
}

/// Cuts `source` into tokens, skipping whitespace.
pub(super) fn tokenize(source: &str) -> Result<Vec<Token>, ExpressionError> {
    let characters: Vec<char> = source.chars().collect();
    let mut tokens = Vec::new();
    let mut index = 0;
    while let Some(&character) = characters.get(index) {
        let start = index;
        let next = characters.get(index + 1).copied();
        let kind = match character {
            _ if character.is_whitespace() => {
                index += 1;
                continue;
            }
            '(' => single(&mut index, TokenKind::LeftParenthesis),
            ')' => single(&mut index, TokenKind::RightParenthesis),
            ',' => single(&mut index, TokenKind::Comma),
            '+' => single(&mut index, TokenKind::Plus),
            '-' => single(&mut index, TokenKind::Minus),
            '*' => single(&mut index, TokenKind::Star),
            '=' => single(&mut index, TokenKind::Equal),
            '!' if next == Some('=') => double(&mut index, TokenKind::NotEqual),
            '<' if next == Some('=') => double(&mut index, TokenKind::LessOrEqual),
            '<' => single(&mut index, TokenKind::Less),
            '>' if next == Some('=') => double(&mut index, TokenKind::GreaterOrEqual),
            '>' => single(&mut index, TokenKind::Greater),
            '\'' | '"' => read_text(&characters, &mut index)?,
            '$' => read_reference(&characters, &mut index)?,
            '0'..='9' => read_number(&characters, &mut index)?,
            '.' if next.is_some_and(|next| next.is_ascii_digit()) => {
                read_number(&characters, &mut index)?
            }
            '.' if next == Some('.') => double(&mut index, TokenKind::DotDot),
            '.' => single(&mut index, TokenKind::Dot),
            _ if starts_name(character) => {
                // `:` is read as part of a word so that ODK's prefixed names,
                // such as `jr:choice-name`, are refused as unsupported
                // functions by name rather than as a stray character.
                let word = read_while(&characters, &mut index, |character| {
                    continues_name(character) || character == ':'
                });
                TokenKind::Word(word)
            }
            '‘' | '’' | '“' | '”' => {
                return Err(ExpressionError::new(
                    start,
                    format!(
                        "Dấu nháy cong {character} không dùng được trong biểu thức. \
                         Hãy dùng dấu nháy thẳng ' hoặc \"."
                    ),
                    format!(
                        "The curly quote {character} cannot be used in an expression. \
                         Use a straight quote ' or \" instead."
                    ),
                ))
            }
            _ => {
                return Err(ExpressionError::new(
                    start,
                    format!("Ký tự \"{character}\" không được dùng ở đây."),
                    format!("The character \"{character}\" is not allowed here."),
                ))
            }
        };
        let text = characters
            .get(start..index)
            .unwrap_or_default()
            .iter()
            .collect();
        tokens.push(Token {
            kind,
            position: start,
            text,
        });
    }
    Ok(tokens)
}

/// Whether `character` may start a question or function name.
pub(super) fn starts_name(character: char) -> bool {
    character.is_alphabetic() || character == '_'
}

/// Whether `character` may continue a question or function name.
pub(super) fn continues_name(character: char) -> bool {
    character.is_alphanumeric() || matches!(character, '_' | '-' | '.')
}

fn single(index: &mut usize, kind: TokenKind) -> TokenKind {
    *index += 1;
    kind
}

fn double(index: &mut usize, kind: TokenKind) -> TokenKind {
    *index += 2;
    kind
}

fn read_while(characters: &[char], index: &mut usize, keep: impl Fn(char) -> bool) -> String {
    let mut read = String::new();
    while let Some(&character) = characters.get(*index) {
        if !keep(character) {
            break;
        }
        read.push(character);
        *index += 1;
    }
    read
}

/// Reads `'…'` or `"…"`. XPath 1.0 has no escapes: a string that must hold
/// one kind of quote is written between the other kind.
fn read_text(characters: &[char], index: &mut usize) -> Result<TokenKind, ExpressionError> {
    let start = *index;
    let quote = characters.get(start).copied().unwrap_or('\'');
    *index += 1;
    let text = read_while(characters, index, |character| character != quote);
    if characters.get(*index).is_none() {
        return Err(ExpressionError::new(
            start,
            format!("Chuỗi bắt đầu bằng {quote} chưa được đóng. Hãy thêm {quote} ở cuối chuỗi."),
            format!("The text starting with {quote} is never closed. Add a {quote} at its end."),
        ));
    }
    *index += 1;
    Ok(TokenKind::Text(text))
}

/// Reads `${name}`.
fn read_reference(characters: &[char], index: &mut usize) -> Result<TokenKind, ExpressionError> {
    let start = *index;
    if characters.get(start + 1) != Some(&'{') {
        return Err(ExpressionError::new(
            start,
            "Dấu \"$\" phải đi cùng tên câu hỏi trong ngoặc nhọn, ví dụ ${tuoi}.",
            "A \"$\" must be followed by a question name in braces, such as ${age}.",
        ));
    }
    *index += 2;
    let name = read_while(characters, index, |character| {
        character != '}' && !character.is_whitespace() && !matches!(character, '$' | '{')
    });
    if characters.get(*index) != Some(&'}') {
        return Err(ExpressionError::new(
            start,
            "Tham chiếu \"${\" chưa được đóng. Hãy thêm \"}\" sau tên câu hỏi.",
            "The reference \"${\" is never closed. Add a \"}\" after the question name.",
        ));
    }
    *index += 1;
    let mut name_characters = name.chars();
    match name_characters.next() {
        None => Err(ExpressionError::new(
            start,
            "Tham chiếu \"${}\" thiếu tên câu hỏi. Hãy viết tên câu hỏi giữa { và }.",
            "The reference \"${}\" has no question name. Write a question name between { and }.",
        )),
        Some(first) if starts_name(first) && name_characters.all(continues_name) => {
            Ok(TokenKind::Reference(name))
        }
        Some(_) => Err(ExpressionError::new(
            start + 2,
            format!(
                "Tên câu hỏi \"{name}\" không hợp lệ: tên phải bắt đầu bằng chữ cái hoặc \"_\" \
                 và chỉ gồm chữ cái, chữ số, \"_\", \"-\" và \".\"."
            ),
            format!(
                "The question name \"{name}\" is not valid: a name starts with a letter or \"_\" \
                 and holds only letters, digits, \"_\", \"-\" and \".\"."
            ),
        )),
    }
}

/// Reads `12`, `12.`, `12.5` or `.5`.
fn read_number(characters: &[char], index: &mut usize) -> Result<TokenKind, ExpressionError> {
    let start = *index;
    let mut text = read_while(characters, index, |character| character.is_ascii_digit());
    if characters.get(*index) == Some(&'.') {
        *index += 1;
        text.push('.');
        text.push_str(&read_while(characters, index, |character| {
            character.is_ascii_digit()
        }));
    }
    text.parse::<f64>().map(TokenKind::Number).map_err(|_| {
        ExpressionError::new(
            start,
            format!("\"{text}\" không phải là một số hợp lệ."),
            format!("\"{text}\" is not a valid number."),
        )
    })
}
