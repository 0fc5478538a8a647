//! `--minify`: the generated JavaScript parsed and printed again by oxc,
//! without comments or layout, with local and module-private names
//! shortened. Exported names, properties and the bundler hints
//! (`webpackIgnore`, `@vite-ignore`) stay; nothing else is rewritten (no
//! compression passes), so the program is the readable one renamed.
//! tests/glue.rs parses every feature set's minified form and runs the
//! fixtures' cases through minified modules.

use oxc_allocator::Allocator;
use oxc_codegen::{Codegen, CodegenOptions, CommentOptions};
use oxc_minifier::{Minifier, MinifierOptions};
use oxc_parser::Parser;
use oxc_span::SourceType;

/// The module minified; `rename`: shorten names too (else only comments
/// and layout go).
pub fn minify_with(src: &str, rename: bool) -> String {
    let allocator = Allocator::default();
    let parsed = Parser::new(&allocator, src, SourceType::mjs()).parse();
    // The source is the runtime template filled with JSON values: a
    // parse error is a bug in numba-wasm, not in the user's input.
    assert!(
        parsed.diagnostics.is_empty() && !parsed.panicked,
        "internal error: the generated JavaScript does not parse: {:?}",
        parsed.diagnostics
    );
    let mut program = parsed.program;
    let options = MinifierOptions {
        mangle: rename.then(Default::default),
        compress: rename.then(Default::default),
        ..MinifierOptions::default()
    };
    let minified = Minifier::new(options).minify(&allocator, &mut program);
    let codegen = CodegenOptions {
        comments: CommentOptions {
            annotation: true,
            ..CommentOptions::disabled()
        },
        ..CodegenOptions::minify()
    };
    Codegen::new()
        .with_options(codegen)
        .with_scoping(minified.scoping)
        .build(&program)
        .code
}

/// `--minify`'s form of the module.
pub fn minify(src: &str) -> String {
    minify_with(src, true)
}
