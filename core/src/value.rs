//! JSON-shaped data, and the readers requests and catalog documents are read with.
//!
//! The SDK builds a [`Value`] from a JS value (`sdk/src/js_value.rs`) and reads
//! requests and usage reports with [`crate::estimate::UsageRequest::from_value`];
//! catalog documents are read by [`crate::catalog::Catalog::from_value`] in
//! both the SDK and the server (which builds the [`Value`] from `serde_json`,
//! [`From<serde_json::Value>`]), so the two accept and refuse the same
//! catalogs with the same messages. (The server reads its HTTP bodies with
//! serde; the wire types are in [`crate::wire`].) Going out, estimates and
//! catalog entries become [`Value`]s with the same fields as their serde form
//! (tested field by field), so the wasm needs no JSON library.
//!
//! Numbers are `f64`, as in JS, each with the text its source writes it with
//! for messages (formatting floats here would link float formatting into the
//! wasm). Objects keep their fields in order; a repeated name keeps the last
//! value, as `JSON.parse` does.

use crate::error::{Error, Quoted, Result};
use rust_decimal::Decimal;

/// A JSON value. Objects keep their fields in order.
#[derive(Debug, Clone, PartialEq)]
pub enum Value {
    /// `null`.
    Null,
    /// `true` or `false`.
    Bool(bool),
    /// A number.
    Number(Number),
    /// A string.
    String(String),
    /// An array.
    Array(Vec<Value>),
    /// An object: its fields in order.
    Object(Vec<(String, Value)>),
}

/// A number, with the text its source writes it with (`1e+300`, `NaN`).
#[derive(Debug, Clone, PartialEq)]
pub struct Number {
    /// The value.
    pub value: f64,
    /// How the source writes it, for messages.
    pub text: String,
}

impl Value {
    /// The value of field `name` when this is an object that has it.
    pub fn get(&self, name: &str) -> Option<&Value> {
        match self {
            Value::Object(fields) => fields
                .iter()
                .find(|(field, _)| field == name)
                .map(|(_, value)| value),
            _ => None,
        }
    }

    /// The value as JSON text, written as `JSON.stringify` and serde_json
    /// write it (no spaces; a number that is not finite as `null`), so that
    /// the SDK hands results to JS in one crossing for `JSON.parse`.
    pub fn to_json(&self) -> String {
        let mut out = String::new();
        self.write_json(&mut out);
        out
    }

    /// Appends [`Value::to_json`] to `out`.
    fn write_json(&self, out: &mut String) {
        match self {
            Value::Null => out.push_str("null"),
            Value::Bool(flag) => out.push_str(if *flag { "true" } else { "false" }),
            Value::Number(number) if number.value.is_finite() => out.push_str(&number.text),
            Value::Number(_) => out.push_str("null"),
            Value::String(text) => write_json_string(text, out),
            Value::Array(items) => {
                out.push('[');
                for (i, item) in items.iter().enumerate() {
                    if i > 0 {
                        out.push(',');
                    }
                    item.write_json(out);
                }
                out.push(']');
            }
            Value::Object(fields) => {
                out.push('{');
                for (i, (name, field)) in fields.iter().enumerate() {
                    if i > 0 {
                        out.push(',');
                    }
                    write_json_string(name, out);
                    out.push(':');
                    field.write_json(out);
                }
                out.push('}');
            }
        }
    }

    /// How the value looks in an error message: `the string "5"`, `an array`.
    pub fn describe(&self) -> String {
        match self {
            Value::Null => "null".to_owned(),
            Value::Bool(flag) => format!("the boolean {flag}"),
            Value::Number(number) => format!("the number {}", number.text),
            Value::String(text) => format!("the string {}", Quoted(text)),
            Value::Array(_) => "an array".to_owned(),
            Value::Object(_) => "an object".to_owned(),
        }
    }
}

impl From<u64> for Value {
    /// A count; exact up to [`MAX_COUNT`], as every count here is.
    fn from(count: u64) -> Value {
        Value::Number(Number {
            value: count as f64,
            text: count.to_string(),
        })
    }
}

impl From<&str> for Value {
    fn from(text: &str) -> Value {
        Value::String(text.to_owned())
    }
}

impl From<Decimal> for Value {
    /// A decimal string with every digit of its scale (`"2.50"`).
    fn from(amount: Decimal) -> Value {
        Value::String(amount.to_string())
    }
}

impl<T: Into<Value>> From<Option<T>> for Value {
    /// `null` for `None`.
    fn from(value: Option<T>) -> Value {
        value.map_or(Value::Null, Into::into)
    }
}

impl From<serde_json::Value> for Value {
    /// The same data; numbers as `f64` (as JS reads them), with serde_json's text.
    fn from(value: serde_json::Value) -> Value {
        match value {
            serde_json::Value::Null => Value::Null,
            serde_json::Value::Bool(flag) => Value::Bool(flag),
            serde_json::Value::Number(number) => Value::Number(Number {
                value: number.as_f64().unwrap_or(f64::NAN),
                text: number.to_string(),
            }),
            serde_json::Value::String(text) => Value::String(text),
            serde_json::Value::Array(items) => {
                Value::Array(items.into_iter().map(Value::from).collect())
            }
            serde_json::Value::Object(fields) => Value::Object(
                fields
                    .into_iter()
                    .map(|(name, value)| (name, Value::from(value)))
                    .collect(),
            ),
        }
    }
}

/// One JSON object written field by field in the order given, as
/// serde_json writes a struct (no spaces, strings escaped alike): the request
/// bodies the SDK sends, without a serializer in the wasm. Each body's writer
/// is tested equal to serde_json's form of it (`wire`).
pub struct JsonObject {
    out: String,
}

impl Default for JsonObject {
    fn default() -> Self {
        JsonObject {
            out: String::from("{"),
        }
    }
}

impl JsonObject {
    fn key(&mut self, name: &str) -> &mut String {
        if self.out.len() > 1 {
            self.out.push(',');
        }
        write_json_string(name, &mut self.out);
        self.out.push(':');
        &mut self.out
    }

    /// Adds the string field `name`.
    pub fn string(&mut self, name: &str, value: &str) -> &mut Self {
        write_json_string(value, self.key(name));
        self
    }

    /// Adds the string field `name` when there is a value (serde's `skip_serializing_if = "Option::is_none"`).
    pub fn optional(&mut self, name: &str, value: Option<&str>) -> &mut Self {
        if let Some(value) = value {
            self.string(name, value);
        }
        self
    }

    /// Adds the whole-number field `name`.
    pub fn count(&mut self, name: &str, value: u64) -> &mut Self {
        let out = self.key(name);
        out.push_str(&value.to_string());
        self
    }

    /// Adds the field `name` whose value is the JSON text `json`.
    pub fn json(&mut self, name: &str, json: &str) -> &mut Self {
        self.key(name).push_str(json);
        self
    }

    /// The object's JSON text.
    pub fn finish(&mut self) -> String {
        let mut out = std::mem::take(&mut self.out);
        out.push('}');
        out
    }
}

/// `text` as a JSON string: quotes, backslashes and control characters
/// escaped as `JSON.stringify` escapes them, everything else as it is.
fn write_json_string(text: &str, out: &mut String) {
    out.push('"');
    let mut run = 0;
    for (at, byte) in text.bytes().enumerate() {
        let escape = match byte {
            b'"' => "\\\"",
            b'\\' => "\\\\",
            b'\n' => "\\n",
            b'\r' => "\\r",
            b'\t' => "\\t",
            0x08 => "\\b",
            0x0c => "\\f",
            0..=0x1f => "",
            _ => continue,
        };
        // Bytes below 0x80 are whole characters: the run before one ends on a boundary.
        out.push_str(&text[run..at]);
        run = at + 1;
        if escape.is_empty() {
            const HEX: &[u8; 16] = b"0123456789abcdef";
            out.push_str("\\u00");
            out.push(HEX[usize::from(byte >> 4)].into());
            out.push(HEX[usize::from(byte & 15)].into());
        } else {
            out.push_str(escape);
        }
    }
    out.push_str(&text[run..]);
    out.push('"');
}

/// `path.name`, or `name` at the top level: how a field's place is named in
/// errors (also by the SDK's reader of JS values).
pub fn field_path(path: &str, name: &str) -> String {
    if path.is_empty() {
        name.to_owned()
    } else {
        format!("{path}.{name}")
    }
}

/// An object being read: only the fields it may have, each read once by name.
pub struct Fields<'a> {
    path: &'a str,
    object: &'a Value,
}

impl<'a> Fields<'a> {
    /// The fields of `value`, which must be an object with no field outside
    /// `known`; `path` names it in errors (`""` at the top, `"entries[3]"`),
    /// `what` says what it is (`"a catalog entry"`).
    pub fn of(value: &'a Value, path: &'a str, what: &str, known: &[&str]) -> Result<Fields<'a>> {
        let read = Fields::lenient(value, path, what)?;
        let unknown = match value {
            Value::Object(fields) => fields
                .iter()
                .find(|(name, _)| !known.contains(&name.as_str())),
            _ => None,
        };
        if let Some((name, _)) = unknown {
            return Err(Error::invalid_input(format!(
                "unknown field {}; {what} has {}",
                field_path(path, name),
                listed(known.iter().copied())
            )));
        }
        Ok(read)
    }

    /// The fields of `value`, which must be an object; fields nobody reads
    /// are ignored (a server's answer may carry fields this SDK predates).
    pub fn lenient(value: &'a Value, path: &'a str, what: &str) -> Result<Fields<'a>> {
        if !matches!(value, Value::Object(_)) {
            return Err(Error::invalid_input(format!(
                "{} must be {what}, an object, got {}",
                if path.is_empty() { "the value" } else { path },
                value.describe()
            )));
        }
        Ok(Fields {
            path,
            object: value,
        })
    }

    /// The value of field `name`, when present.
    fn get(&self, name: &str) -> Option<&'a Value> {
        self.object.get(name)
    }

    /// The path of field `name` in errors (`entries[3].id`).
    pub fn path(&self, name: &str) -> String {
        field_path(self.path, name)
    }

    /// The required field `name`, read with `read(value, its path)`.
    #[inline(never)]
    pub fn required<T>(
        &self,
        name: &str,
        read: impl Fn(&'a Value, &str) -> Result<T>,
    ) -> Result<T> {
        self.present(name, read)?
            .ok_or_else(|| Error::invalid_input(format!("{} is required", self.path(name))))
    }

    /// The field `name` when present (`null` is read like any value).
    #[inline(never)]
    pub fn present<T>(
        &self,
        name: &str,
        read: impl Fn(&'a Value, &str) -> Result<T>,
    ) -> Result<Option<T>> {
        self.get(name)
            .map(|value| read(value, &self.path(name)))
            .transpose()
    }

    /// The optional field `name`: `None` when absent or `null`.
    #[inline(never)]
    pub fn optional<T>(
        &self,
        name: &str,
        read: impl Fn(&'a Value, &str) -> Result<T>,
    ) -> Result<Option<T>> {
        match self.get(name) {
            Some(Value::Null) => Ok(None),
            _ => self.present(name, read),
        }
    }
}

/// A string.
#[inline(never)]
pub fn string(value: &Value, path: &str) -> Result<String> {
    match value {
        Value::String(text) => Ok(text.clone()),
        other => Err(Error::invalid_input(format!(
            "{path} must be a string, got {}",
            other.describe()
        ))),
    }
}

/// The largest count accepted: 2^53 - 1, the largest integer a JS number holds exactly.
pub const MAX_COUNT: u64 = (1 << 53) - 1;

/// A count: a non-negative integer no larger than [`MAX_COUNT`] (2^53 - 1).
#[inline(never)]
pub fn count(value: &Value, path: &str) -> Result<u64> {
    let fail = |why: String| Err(Error::invalid_input(format!("{path} {why}")));
    let number = match value {
        Value::Number(number) if number.value.is_finite() => number,
        other => {
            return fail(format!(
                "must be a non-negative integer, got {}",
                other.describe()
            ))
        }
    };
    let (value, text) = (number.value, &number.text);
    if value < 0.0 {
        fail(format!("must not be negative, got {text}"))
    } else if value.fract() != 0.0 {
        fail(format!("must be a whole number, got {text}"))
    } else if value > MAX_COUNT as f64 {
        fail(format!(
            "is {text}, above the largest exact count {MAX_COUNT} (2^53 - 1)"
        ))
    } else {
        Ok(value as u64)
    }
}

/// An array, each item read with `read(item, "path[i]")`.
#[inline(never)]
pub fn list<'a, T>(
    value: &'a Value,
    path: &str,
    read: impl Fn(&'a Value, &str) -> Result<T>,
) -> Result<Vec<T>> {
    let items = items_of(value, path)?;
    let mut list = Vec::with_capacity(items.len());
    for (i, item) in items.iter().enumerate() {
        list.push(read(item, &item_path(path, i))?);
    }
    Ok(list)
}

/// The items of the array at `path` (not generic: one copy for every [`list`]).
#[inline(never)]
fn items_of<'a>(value: &'a Value, path: &str) -> Result<&'a [Value]> {
    match value {
        Value::Array(items) => Ok(items),
        other => Err(Error::invalid_input(format!(
            "{path} must be an array, got {}",
            other.describe()
        ))),
    }
}

/// `path[i]` (not generic: one copy for every [`list`]).
#[inline(never)]
fn item_path(path: &str, i: usize) -> String {
    format!("{path}[{i}]")
}

/// `a, b, c` (without `join`'s generic code in the wasm).
fn listed<'s>(names: impl Iterator<Item = &'s str>) -> String {
    let mut list = String::new();
    for (i, name) in names.enumerate() {
        if i > 0 {
            list.push_str(", ");
        }
        list.push_str(name);
    }
    list
}

/// One of `choices`, by its name.
#[inline(never)]
pub fn one_of<T: Copy>(value: &Value, path: &str, choices: &[(&str, T)]) -> Result<T> {
    let name = string(value, path)?;
    choices
        .iter()
        .find(|(choice, _)| *choice == name)
        .map(|&(_, choice)| choice)
        .ok_or_else(|| {
            Error::invalid_input(format!(
                "{path} must be one of {}, got {}",
                listed(choices.iter().map(|(name, _)| *name)),
                Quoted(&name)
            ))
        })
}

/// `value` with every object's fields sorted by name, to compare with
/// `serde_json::Value`, whose maps are sorted.
#[cfg(test)]
pub(crate) fn sorted(value: Value) -> Value {
    match value {
        Value::Array(items) => Value::Array(items.into_iter().map(sorted).collect()),
        Value::Object(fields) => {
            let mut fields: Vec<_> = fields.into_iter().map(|(k, v)| (k, sorted(v))).collect();
            fields.sort_by(|a, b| a.0.cmp(&b.0));
            Value::Object(fields)
        }
        other => other,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn count_error(value: serde_json::Value) -> String {
        count(&Value::from(value), "n").unwrap_err().message
    }

    #[test]
    fn counts_are_whole_non_negative_and_exact() {
        assert_eq!(count(&Value::from(json!(0)), "n").unwrap(), 0);
        assert_eq!(
            count(&Value::from(json!(MAX_COUNT)), "n").unwrap(),
            MAX_COUNT
        );
        assert_eq!(count(&Value::from(json!(7.0)), "n").unwrap(), 7);
        assert!(count_error(json!(-1)).starts_with("n must not be negative, got -1"));
        assert!(count_error(json!(1.5)).starts_with("n must be a whole number, got 1.5"));
        assert!(count_error(json!(MAX_COUNT + 1)).contains("above the largest exact count"));
        assert!(count_error(json!(1e300)).contains("is 1e+300, above"));
        assert!(count_error(json!("5")).contains("the string \"5\""));
        assert!(count_error(json!(null)).contains("got null"));
        let nan = Value::Number(Number {
            value: f64::NAN,
            text: "NaN".into(),
        });
        assert!(count(&nan, "n")
            .unwrap_err()
            .message
            .contains("non-negative integer, got the number NaN"));
    }

    #[test]
    fn fields_refuse_unknown_names_and_read_by_name() {
        let value = Value::from(json!({"a": "x", "b": null}));
        let fields = Fields::of(&value, "top", "a thing", &["a", "b", "c"]).unwrap();
        assert_eq!(fields.required("a", string).unwrap(), "x");
        assert_eq!(fields.optional("b", string).unwrap(), None);
        assert_eq!(fields.optional("c", string).unwrap(), None);
        assert!(fields
            .required("c", string)
            .unwrap_err()
            .message
            .contains("top.c is required"));
        let err = Fields::of(&value, "", "a thing", &["a"]).err().unwrap();
        assert!(
            err.message.contains("unknown field b; a thing has a"),
            "{}",
            err.message
        );
        let err = Fields::of(&Value::from(json!([1])), "xs[2]", "a thing", &[])
            .err()
            .unwrap();
        assert!(err
            .message
            .contains("xs[2] must be a thing, an object, got an array"));
    }

    #[test]
    fn lists_and_choices_name_the_item() {
        let value = Value::from(json!(["a", 1]));
        let err = list(&value, "xs", string).unwrap_err();
        assert!(err
            .message
            .contains("xs[1] must be a string, got the number 1"));
        let choices = [("up", 1), ("down", 2)];
        assert_eq!(
            one_of(&Value::from(json!("down")), "d", &choices).unwrap(),
            2
        );
        let err = one_of(&Value::from(json!("left")), "d", &choices).unwrap_err();
        assert!(err
            .message
            .contains("d must be one of up, down, got \"left\""));
    }

    #[test]
    fn json_text_is_serde_json_text() {
        let document = json!({
            "text": "quote \" backslash \\ \n\r\t\u{8}\u{c}\u{0}\u{1f}\u{7f} é 🙂 \u{2028}",
            "numbers": [0, 7, 9007199254740991_u64, -3, 1.5, 1e300],
            "nested": { "empty": {}, "none": [], "flag": true, "off": false, "nothing": null },
        });
        let value = Value::from(document.clone());
        assert_eq!(value.to_json(), serde_json::to_string(&document).unwrap());
        let entries = crate::catalog::Catalog::builtin().entries();
        let listed = Value::Array(entries.iter().map(Value::from).collect());
        let parsed: serde_json::Value = serde_json::from_str(&listed.to_json()).unwrap();
        assert_eq!(parsed, serde_json::to_value(entries).unwrap());
    }

    #[test]
    fn numbers_that_are_not_finite_are_null_as_in_json_stringify() {
        let nan = Value::Number(Number {
            value: f64::NAN,
            text: "NaN".into(),
        });
        assert_eq!(
            Value::Array(vec![nan, Value::Null]).to_json(),
            "[null,null]"
        );
    }

    proptest::proptest! {
        #[test]
        fn any_text_is_written_as_serde_json_writes_it(text in "\\PC*|[\\x00-\\x20\"\\\\]*") {
            proptest::prop_assert_eq!(
                Value::String(text.clone()).to_json(),
                serde_json::to_string(&text).unwrap()
            );
        }
    }
}
