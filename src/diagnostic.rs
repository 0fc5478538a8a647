//! Diagnostics as data: what went wrong, which Python function and symbol
//! it is about, and how to fix it, so that `--message-format json` and the
//! Python helper need not parse the human wording.

use std::fmt;

use serde::Serialize;

#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Level {
    Error,
    Warning,
}

/// One problem, printed as one line of `--message-format json`.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct Diagnostic {
    pub level: Level,
    /// The whole human text, hint included: what `human` mode prints.
    pub message: String,
    /// Python `module.qualname` of the function at fault.
    pub function: Option<String>,
    /// Mangled Numba symbol or runtime symbol at fault.
    pub symbol: Option<String>,
    /// Origin of the input at fault (a path or `<stdin>`).
    pub input: Option<String>,
    /// How to fix it, on its own.
    pub hint: Option<String>,
}

impl Diagnostic {
    pub fn error(message: impl Into<String>) -> Diagnostic {
        Diagnostic {
            level: Level::Error,
            message: message.into(),
            function: None,
            symbol: None,
            input: None,
            hint: None,
        }
    }

    pub fn function(mut self, qualname: impl Into<String>) -> Diagnostic {
        self.function = Some(qualname.into());
        self
    }

    pub fn symbol(mut self, symbol: impl Into<String>) -> Diagnostic {
        self.symbol = Some(symbol.into());
        self
    }

    pub fn input(mut self, origin: impl Into<String>) -> Diagnostic {
        self.input = Some(origin.into());
        self
    }

    pub fn hint(mut self, hint: impl Into<String>) -> Diagnostic {
        self.hint = Some(hint.into());
        self
    }

    /// A plain error's text (its whole context chain) as a diagnostic.
    pub fn from_error(e: &anyhow::Error) -> Diagnostic {
        Diagnostic::error(format!("{e:#}"))
    }
}

impl fmt::Display for Diagnostic {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.message)
    }
}

/// Diagnostics that stopped a command. It travels inside `anyhow::Error`;
/// `main` downcasts it to print each diagnostic in either format.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Diagnostics {
    /// A line the human form prints above the indented diagnostics.
    heading: Option<String>,
    pub items: Vec<Diagnostic>,
}

impl Diagnostics {
    /// Printed one per line in human form.
    pub fn new(items: Vec<Diagnostic>) -> Diagnostics {
        Diagnostics {
            heading: None,
            items: distinct(items),
        }
    }

    /// Printed under `heading`, indented, in human form.
    pub fn under(heading: impl Into<String>, items: Vec<Diagnostic>) -> Diagnostics {
        Diagnostics {
            heading: Some(heading.into()),
            items: distinct(items),
        }
    }

    /// The diagnostics an error stands for: its own if it carries some,
    /// else its text as one diagnostic with no function or symbol.
    pub fn of(e: &anyhow::Error) -> Vec<Diagnostic> {
        match e.downcast_ref::<Diagnostics>() {
            Some(d) => d.items.clone(),
            None => vec![Diagnostic::from_error(e)],
        }
    }
}

/// The first diagnostic of each message: several symbols of one function
/// (a generator and its `next`, say) can fail for the same reason.
fn distinct(items: Vec<Diagnostic>) -> Vec<Diagnostic> {
    let mut seen = std::collections::HashSet::new();
    items
        .into_iter()
        .filter(|d| seen.insert(d.message.clone()))
        .collect()
}

impl From<Diagnostic> for Diagnostics {
    fn from(d: Diagnostic) -> Diagnostics {
        Diagnostics::new(vec![d])
    }
}

impl fmt::Display for Diagnostics {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let lines: Vec<&str> = self.items.iter().map(|d| d.message.as_str()).collect();
        match &self.heading {
            Some(h) => write!(f, "{h}\n  {}", lines.join("\n  ")),
            None => f.write_str(&lines.join("\n")),
        }
    }
}

impl std::error::Error for Diagnostics {}

/// At most `max` characters of `text` (cut at a character boundary, with
/// the number of characters left out), so that a message quoting an input
/// line or a name stays short however long the input is.
pub fn excerpt(text: &str, max: usize) -> String {
    match text.char_indices().nth(max) {
        None => text.to_string(),
        Some((cut, _)) => {
            let rest = text[cut..].chars().count();
            format!("{}… ({rest} more characters)", &text[..cut])
        }
    }
}

/// Each line of an LLVM message cut to a readable length (LLVM quotes the
/// offending source line whole, which may be megabytes long).
pub fn excerpt_lines(text: &str) -> String {
    text.lines()
        .map(|l| excerpt(l, 300))
        .collect::<Vec<_>>()
        .join("\n")
}

/// What numba-wasm is doing, for errors that arrive without context (an
/// LLVM fatal error is reported from inside LLVM).
static ACTIVITY: std::sync::Mutex<Option<String>> = std::sync::Mutex::new(None);

/// Marks an activity until the returned guard is dropped.
pub struct Doing(Option<String>);

pub fn doing(what: impl Into<String>) -> Doing {
    let mut a = ACTIVITY.lock().unwrap_or_else(|e| e.into_inner());
    Doing(a.replace(what.into()))
}

impl Drop for Doing {
    fn drop(&mut self) {
        *ACTIVITY.lock().unwrap_or_else(|e| e.into_inner()) = self.0.take();
    }
}

/// The current activity, e.g. "parsing `kernels.bc`".
pub fn activity() -> Option<String> {
    ACTIVITY.lock().unwrap_or_else(|e| e.into_inner()).clone()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn human_form_and_downcast() {
        let d = Diagnostics::under(
            "cannot build:",
            vec![
                Diagnostic::error("`m.f` (float64()): `a` x").symbol("a"),
                Diagnostic::error("`m.f` (float64()): `b` y").symbol("b"),
            ],
        );
        assert_eq!(
            d.to_string(),
            "cannot build:\n  `m.f` (float64()): `a` x\n  `m.f` (float64()): `b` y"
        );
        let e = anyhow::Error::new(d);
        let items = Diagnostics::of(&e);
        assert_eq!(items[1].symbol.as_deref(), Some("b"));
        assert_eq!(
            serde_json::to_string(&items[0]).unwrap(),
            r#"{"level":"error","message":"`m.f` (float64()): `a` x","function":null,"symbol":"a","input":null,"hint":null}"#
        );
        let plain = anyhow::anyhow!("inner").context("outer");
        assert_eq!(Diagnostics::of(&plain)[0].message, "outer: inner");
    }
}
