//! OData `$filter` compiler and query-string builder.
pub mod ast;
pub mod lexer;
pub mod parser;
