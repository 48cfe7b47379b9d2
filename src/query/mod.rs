//! OData `$filter` compiler and query-string builder.
pub mod ast;
pub mod check;
pub mod eval;
pub mod lexer;
pub mod parser;
