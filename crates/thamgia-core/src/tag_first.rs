//! Reading internally tagged enums (`#[serde(tag = "type")]`) straight from
//! the object they arrive in, when the tag comes first.
//!
//! serde's derive cannot know which variant an internally tagged object
//! holds before it has seen the tag, so it first copies the whole object
//! into its private `Content` tree, then decodes the variant from that
//! copy. For a `MutationChange` carrying a child's whole response that is
//! every byte read twice: about 10 % of the CPU of the server's push
//! handler (`cargo bench -p thamgia-server --bench ingest`). And since the
//! variants are decoded from `Content` rather than from JSON, the tablet's
//! wasm held a second copy of the decoding of every type inside them
//! (`Response`, `Forum`, `SurveyDefinition`, `FieldEdit`, …: about 150 KB
//! for `ChangeEntity` and `MutationChange` alone).
//!
//! Every producer writes the tag first: serde_json serialises an
//! internally tagged enum with its tag first, and so did every earlier
//! version of the app in IndexedDB. So [`deserialize`] reads the first key.
//! When it is the tag, it reads the variant's name and hands the rest of
//! the same object to the variant's fields, decoded by the deserializer
//! that decodes everything else (the same monomorphised code as anywhere
//! else in the program). When it is not (a JSON object is unordered: a
//! body written by hand, or reordered by a tool), the entries are collected
//! as `serde_json::Value`s, written again as JSON text with the tag first,
//! and that text is decoded with `serde_json::from_slice`, the function the
//! app and the server decode with anyway, so this slower path adds no new
//! copy of the variants' decoding. The text holds only the entries read,
//! written compactly: about the size of what was read (a number written
//! `1e2` comes back as `100.0`), so the body limits bound it.
//!
//! What the derive refuses is still refused, with serde's own messages: a
//! missing tag (`missing field`), a repeated one (`duplicate field`), an
//! unknown one (`unknown variant`). Fields a variant does not have are
//! skipped, as the derive skips them. Differences, all on inputs no
//! producer writes: the derive also read the `[tag, fields…]` sequence
//! form, which is refused here; on the slower path, a key repeated in an
//! object nested inside the variant keeps its last value (the derive
//! refused it as a duplicate field), and an error's path (as
//! `serde_path_to_error` reports it) stops at the enum.
//!
//! [`deserialize_tag_first!`](crate::deserialize_tag_first) writes an
//! enum's `Deserialize` from the list of its variants; its `Serialize`
//! stays derived, so what is written is unchanged.

use std::fmt;
use std::marker::PhantomData;

use serde::de::value::{MapAccessDeserializer, StrDeserializer};
use serde::de::{self, DeserializeOwned, DeserializeSeed, IgnoredAny, MapAccess, Visitor};
use serde::{Deserialize, Deserializer};
use serde_json::Value;

/// serde as this crate links it, for what
/// [`deserialize_tag_first!`](crate::deserialize_tag_first) expands to.
#[doc(hidden)]
pub use ::serde as __serde;

#[cfg(test)]
mod tests;

/// An internally tagged enum whose `Deserialize` reads the tag first,
/// implemented by [`deserialize_tag_first!`](crate::deserialize_tag_first).
pub trait TagFirst: Sized {
    /// The enum's name, as serde's messages give it.
    const NAME: &'static str;
    /// The key whose value names the variant (`type`, `item`).
    const TAG: &'static str;
    /// The variants' names on the wire, in the order they are declared.
    const VARIANTS: &'static [&'static str];

    /// The name on the wire of this value's variant: what its tag holds.
    fn wire_name(&self) -> &'static str;

    /// Decodes the variant named `variant` (one of
    /// [`VARIANTS`](TagFirst::VARIANTS)) from `fields`, the rest of the
    /// object after its tag.
    ///
    /// # Errors
    ///
    /// The deserializer's error when the fields do not make that variant.
    fn from_fields<'de, D>(variant: &'static str, fields: D) -> Result<Self, D::Error>
    where
        D: Deserializer<'de>;
}

/// Decodes `T` from `deserializer`: the body of the `Deserialize` that
/// [`deserialize_tag_first!`](crate::deserialize_tag_first) writes.
///
/// # Errors
///
/// The deserializer's error when the input is not an object, when its tag
/// is missing, repeated or unknown, or when the fields do not make the
/// variant the tag names.
pub fn deserialize<'de, T, D>(deserializer: D) -> Result<T, D::Error>
where
    T: TagFirst + DeserializeOwned,
    D: Deserializer<'de>,
{
    deserializer.deserialize_map(TagFirstVisitor(PhantomData))
}

/// Reads and drops what follows the tag of a variant without fields, as the
/// derive does: [`deserialize_tag_first!`](crate::deserialize_tag_first)'s
/// unit variants.
///
/// # Errors
///
/// The deserializer's error when the rest is not well formed, or repeats
/// the tag.
#[doc(hidden)]
pub fn ignore_fields<'de, D: Deserializer<'de>>(fields: D) -> Result<(), D::Error> {
    IgnoredAny::deserialize(fields).map(|IgnoredAny| ())
}

struct TagFirstVisitor<T>(PhantomData<fn() -> T>);

impl<'de, T> Visitor<'de> for TagFirstVisitor<T>
where
    T: TagFirst + DeserializeOwned,
{
    type Value = T;

    fn expecting(&self, formatter: &mut fmt::Formatter) -> fmt::Result {
        // The derive's words, so that messages read as they did.
        write!(formatter, "internally tagged enum {}", T::NAME)
    }

    fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<T, A::Error> {
        match map.next_key_seed(KeySeed { tag: T::TAG })? {
            None => Err(de::Error::missing_field(T::TAG)),
            Some(Key::Tag) => {
                let variant = map.next_value_seed(VariantSeed {
                    variants: T::VARIANTS,
                })?;
                T::from_fields(
                    variant,
                    MapAccessDeserializer::new(AfterTag { map, tag: T::TAG }),
                )
            }
            Some(Key::Other(first_key)) => {
                let text = reordered_text(T::TAG, first_key, map)?;
                serde_json::from_slice(&text)
                    .map_err(|error| de::Error::custom(without_position(&error)))
            }
        }
    }
}

/// A key of the object: its tag, or another (kept for the slower path).
enum Key {
    Tag,
    Other(String),
}

struct KeySeed {
    tag: &'static str,
}

impl<'de> DeserializeSeed<'de> for KeySeed {
    type Value = Key;

    fn deserialize<D: Deserializer<'de>>(self, deserializer: D) -> Result<Key, D::Error> {
        deserializer.deserialize_str(self)
    }
}

impl<'de> Visitor<'de> for KeySeed {
    type Value = Key;

    fn expecting(&self, formatter: &mut fmt::Formatter) -> fmt::Result {
        formatter.write_str("a field name")
    }

    fn visit_str<E: de::Error>(self, key: &str) -> Result<Key, E> {
        Ok(if key == self.tag {
            Key::Tag
        } else {
            Key::Other(key.to_owned())
        })
    }

    fn visit_string<E: de::Error>(self, key: String) -> Result<Key, E> {
        Ok(if key == self.tag {
            Key::Tag
        } else {
            Key::Other(key)
        })
    }
}

/// The tag's value: one of the variants' names, as the derive reads it
/// (an identifier; `unknown variant` otherwise).
struct VariantSeed {
    variants: &'static [&'static str],
}

impl<'de> DeserializeSeed<'de> for VariantSeed {
    type Value = &'static str;

    fn deserialize<D: Deserializer<'de>>(self, deserializer: D) -> Result<&'static str, D::Error> {
        deserializer.deserialize_identifier(self)
    }
}

impl<'de> Visitor<'de> for VariantSeed {
    type Value = &'static str;

    fn expecting(&self, formatter: &mut fmt::Formatter) -> fmt::Result {
        formatter.write_str("variant identifier")
    }

    fn visit_str<E: de::Error>(self, name: &str) -> Result<&'static str, E> {
        self.variants
            .iter()
            .find(|&&variant| variant == name)
            .copied()
            .ok_or_else(|| E::unknown_variant(name, self.variants))
    }
}

/// The rest of an object after its tag, which must not come again.
struct AfterTag<A> {
    map: A,
    tag: &'static str,
}

impl<'de, A: MapAccess<'de>> MapAccess<'de> for AfterTag<A> {
    type Error = A::Error;

    fn next_key_seed<K>(&mut self, seed: K) -> Result<Option<K::Value>, A::Error>
    where
        K: DeserializeSeed<'de>,
    {
        self.map.next_key_seed(NotTheTag {
            seed,
            tag: self.tag,
        })
    }

    fn next_value_seed<V>(&mut self, seed: V) -> Result<V::Value, A::Error>
    where
        V: DeserializeSeed<'de>,
    {
        self.map.next_value_seed(seed)
    }

    fn size_hint(&self) -> Option<usize> {
        self.map.size_hint()
    }
}

/// A key after the tag: refused when it is the tag again, else handed to
/// the fields' own key seed.
struct NotTheTag<K> {
    seed: K,
    tag: &'static str,
}

impl<'de, K: DeserializeSeed<'de>> DeserializeSeed<'de> for NotTheTag<K> {
    type Value = K::Value;

    fn deserialize<D: Deserializer<'de>>(self, deserializer: D) -> Result<K::Value, D::Error> {
        deserializer.deserialize_str(self)
    }
}

impl<'de, K: DeserializeSeed<'de>> Visitor<'de> for NotTheTag<K> {
    type Value = K::Value;

    fn expecting(&self, formatter: &mut fmt::Formatter) -> fmt::Result {
        formatter.write_str("a field name")
    }

    fn visit_str<E: de::Error>(self, key: &str) -> Result<K::Value, E> {
        if key == self.tag {
            return Err(E::duplicate_field(self.tag));
        }
        self.seed.deserialize(StrDeserializer::<E>::new(key))
    }
}

/// The slower path: the object whose first key was `first_key` (not the
/// tag), written again as JSON text with the tag first. Generic over the
/// map only, so each enum adds no more than its `from_slice` call.
fn reordered_text<'de, A: MapAccess<'de>>(
    tag: &'static str,
    first_key: String,
    mut map: A,
) -> Result<Vec<u8>, A::Error> {
    let mut entries = vec![(first_key, map.next_value::<Value>()?)];
    let mut tag_value = None;
    while let Some(key) = map.next_key_seed(KeySeed { tag })? {
        match key {
            Key::Tag if tag_value.is_some() => return Err(de::Error::duplicate_field(tag)),
            Key::Tag => tag_value = Some(map.next_value::<Value>()?),
            Key::Other(key) => {
                let value = map.next_value::<Value>()?;
                entries.push((key, value));
            }
        }
    }
    let Some(tag_value) = tag_value else {
        return Err(de::Error::missing_field(tag));
    };
    write_tag_first(tag, &tag_value, &entries).map_err(de::Error::custom)
}

/// The tags of every enum of this crate and the app that reads its tag
/// first. An object nested in one the slower path rewrites is written
/// with any of these keys first (a `serde_json::Value` keeps an object's
/// keys sorted, which would put most tags after other keys): a tagged enum
/// nested inside is then read on the fast path, so a body is rewritten
/// once at most, not once more at each level of nesting it holds. For an
/// object that is not a tagged enum, the order of its keys means nothing.
/// `tag_first/tests.rs` checks each enum's tag is here.
pub const TAGS: &[&str] = &["type", "item"];

/// `{"tag":tag_value,"key":value,…}`, the entries in the order given, and
/// every object inside with its [`TAGS`] first.
fn write_tag_first(
    tag: &str,
    tag_value: &Value,
    entries: &[(String, Value)],
) -> Result<Vec<u8>, serde_json::Error> {
    let mut text = b"{".to_vec();
    serde_json::to_writer(&mut text, tag)?;
    text.push(b':');
    write_value(&mut text, tag_value)?;
    for (key, value) in entries {
        text.push(b',');
        serde_json::to_writer(&mut text, key)?;
        text.push(b':');
        write_value(&mut text, value)?;
    }
    text.push(b'}');
    Ok(text)
}

/// `value` as JSON text onto `text`, each object's [`TAGS`] first and its
/// other keys after them. Recursion as deep as the value, which the
/// deserializer that read it bounded (serde_json: 128 levels).
fn write_value(text: &mut Vec<u8>, value: &Value) -> Result<(), serde_json::Error> {
    match value {
        Value::Object(object) => {
            text.push(b'{');
            let tags = TAGS.iter().filter_map(|tag| object.get_key_value(*tag));
            let others = object
                .iter()
                .filter(|(key, _)| !TAGS.contains(&key.as_str()));
            for (index, (key, value)) in tags.chain(others).enumerate() {
                if index > 0 {
                    text.push(b',');
                }
                serde_json::to_writer(&mut *text, key)?;
                text.push(b':');
                write_value(text, value)?;
            }
            text.push(b'}');
        }
        Value::Array(items) => {
            text.push(b'[');
            for (index, item) in items.iter().enumerate() {
                if index > 0 {
                    text.push(b',');
                }
                write_value(text, item)?;
            }
            text.push(b']');
        }
        scalar => serde_json::to_writer(&mut *text, scalar)?,
    }
    Ok(())
}

/// The message of an error met in the rewritten text, without its line and
/// column there: they mean nothing to whoever wrote the input, and the
/// outer deserializer adds its own position.
fn without_position(error: &serde_json::Error) -> String {
    let message = error.to_string();
    if error.line() == 0 {
        return message;
    }
    let position = format!(" at line {} column {}", error.line(), error.column());
    match message.strip_suffix(&position) {
        Some(bare) => bare.to_owned(),
        None => message,
    }
}

/// Writes the `Deserialize` of an internally tagged enum that reads its
/// tag first (see [`tag_first`](crate::tag_first)), from the list of its
/// variants with their fields and their names on the wire. The enum keeps
/// `#[derive(Serialize)]` with its `#[serde(tag = …, rename_all = …)]`.
///
/// The list mirrors the enum: a struct variant with its fields (and the
/// fields' deserializing attributes, such as `#[serde(default)]`), a
/// newtype variant with its type in parentheses, a unit variant bare.
/// Each variant is built with all its fields named, and every variant is
/// matched, so a variant or a field that is in the enum but not in the
/// list, or in the list but not in the enum, does not compile. A name on
/// the wire that differs from what `Serialize` writes is caught by the
/// round trips in `tag_first/tests.rs`. The crate that uses it depends on
/// serde itself: the fields' `#[derive(Deserialize)]` names it.
///
/// ```
/// use serde::Serialize;
///
/// #[derive(Debug, PartialEq, Serialize)]
/// #[serde(tag = "type", rename_all = "snake_case")]
/// enum Shape {
///     Circle { radius: f64 },
///     Square {
///         side: f64,
///         #[serde(default)]
///         rounded: bool,
///     },
///     Named(Label),
///     Point,
/// }
///
/// #[derive(Debug, PartialEq, Serialize, serde::Deserialize)]
/// struct Label {
///     text: String,
/// }
///
/// thamgia_core::deserialize_tag_first! {
///     Shape, tag = "type";
///     Circle { radius: f64 } = "circle",
///     Square { side: f64, #[serde(default)] rounded: bool } = "square",
///     Named(Label) = "named",
///     Point = "point",
/// }
///
/// let square: Shape = serde_json::from_str(r#"{"side":2.0,"type":"square"}"#)
///     .expect("the tag may come anywhere");
/// assert_eq!(square, Shape::Square { side: 2.0, rounded: false });
/// let named: Shape = serde_json::from_str(r#"{"type":"named","text":"A"}"#)
///     .expect("a newtype variant's fields sit beside the tag");
/// assert_eq!(named, Shape::Named(Label { text: "A".to_owned() }));
/// ```
#[macro_export]
macro_rules! deserialize_tag_first {
    // A variant's pattern in `wire_name`: unit, struct, newtype.
    (@pattern $enum_name:ident $variant:ident) => {
        $enum_name::$variant
    };
    (@pattern $enum_name:ident $variant:ident { $($fields:tt)* }) => {
        $enum_name::$variant { .. }
    };
    (@pattern $enum_name:ident $variant:ident ( $($inner:tt)* )) => {
        $enum_name::$variant(..)
    };

    // A variant decoded from the rest of the object: unit, struct, newtype.
    (@build $enum_name:ident $variant:ident $rest:ident) => {
        $crate::tag_first::ignore_fields($rest).map(|()| $enum_name::$variant)
    };
    (@build $enum_name:ident $variant:ident $rest:ident {
        $( $(#[$($field_attribute:tt)*])* $field:ident : $field_type:ty ),*
    }) => {{
        // Named so as not to shadow a type the fields may use.
        #[derive($crate::tag_first::__serde::Deserialize)]
        struct TagFirstVariantFields {
            $( $(#[$($field_attribute)*])* $field: $field_type, )*
        }
        <TagFirstVariantFields as $crate::tag_first::__serde::Deserialize>::deserialize($rest)
            .map(|TagFirstVariantFields { $($field),* }| $enum_name::$variant { $($field),* })
    }};
    (@build $enum_name:ident $variant:ident $rest:ident ( $inner_type:ty )) => {
        <$inner_type as $crate::tag_first::__serde::Deserialize>::deserialize($rest)
            .map($enum_name::$variant)
    };

    (
        $enum_name:ident, tag = $tag:literal;
        $(
            $variant:ident
            $( { $( $(#[$($field_attribute:tt)*])* $field:ident : $field_type:ty ),* $(,)? } )?
            $( ( $inner_type:ty ) )?
            = $wire_name:literal
        ),+ $(,)?
    ) => {
        impl<'de> $crate::tag_first::__serde::Deserialize<'de> for $enum_name {
            fn deserialize<D>(deserializer: D) -> ::core::result::Result<Self, D::Error>
            where
                D: $crate::tag_first::__serde::Deserializer<'de>,
            {
                $crate::tag_first::deserialize(deserializer)
            }
        }

        impl $crate::tag_first::TagFirst for $enum_name {
            const NAME: &'static str = ::core::stringify!($enum_name);
            const TAG: &'static str = $tag;
            const VARIANTS: &'static [&'static str] = &[$($wire_name),+];

            fn wire_name(&self) -> &'static str {
                match self {
                    $(
                        $crate::deserialize_tag_first!(
                            @pattern $enum_name $variant
                            $({ $($field)* })?
                            $(($inner_type))?
                        ) => $wire_name,
                    )+
                }
            }

            fn from_fields<'de, D>(
                variant: &'static str,
                rest: D,
            ) -> ::core::result::Result<Self, D::Error>
            where
                D: $crate::tag_first::__serde::Deserializer<'de>,
            {
                match variant {
                    $(
                        $wire_name => $crate::deserialize_tag_first!(
                            @build $enum_name $variant rest
                            $({ $( $(#[$($field_attribute)*])* $field : $field_type ),* })?
                            $(($inner_type))?
                        ),
                    )+
                    // `variant` is one of `VARIANTS`: the tag's seed
                    // refused any other name.
                    _ => ::core::result::Result::Err(
                        <D::Error as $crate::tag_first::__serde::de::Error>::unknown_variant(
                            variant,
                            <Self as $crate::tag_first::TagFirst>::VARIANTS,
                        ),
                    ),
                }
            }
        }
    };
}
