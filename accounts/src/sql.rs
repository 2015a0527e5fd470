//! Queries built piece by piece, with `$n` placeholders, which SQLite and PostgreSQL both read.
//! (sqlx's `QueryBuilder` writes `?` for the `Any` driver, which PostgreSQL refuses.)

use sqlx::any::{Any, AnyArguments};
use sqlx::query::Query;

/// A value bound to a placeholder.
#[derive(Debug, Clone)]
pub enum Value {
    Text(String),
    Integer(i64),
}

impl From<&str> for Value {
    fn from(text: &str) -> Self {
        Self::Text(text.to_owned())
    }
}

impl From<&String> for Value {
    fn from(text: &String) -> Self {
        Self::Text(text.clone())
    }
}

impl From<String> for Value {
    fn from(text: String) -> Self {
        Self::Text(text)
    }
}

impl From<i64> for Value {
    fn from(number: i64) -> Self {
        Self::Integer(number)
    }
}

/// SQL text and the values of its placeholders, in order.
#[derive(Debug, Default)]
pub struct Sql {
    text: String,
    values: Vec<Value>,
}

impl Sql {
    pub fn new(text: impl Into<String>) -> Self {
        Self {
            text: text.into(),
            values: Vec::new(),
        }
    }

    pub fn push(&mut self, text: &str) -> &mut Self {
        self.text.push_str(text);
        self
    }

    /// Appends the next placeholder, bound to `value`.
    pub fn push_bind(&mut self, value: impl Into<Value>) -> &mut Self {
        self.values.push(value.into());
        self.text.push('$');
        self.text.push_str(&self.values.len().to_string());
        self
    }

    /// The query, to execute or fetch with.
    pub fn build(&self) -> Query<'_, Any, AnyArguments<'_>> {
        self.values
            .iter()
            .fold(sqlx::query(&self.text), |query, value| match value {
                Value::Text(text) => query.bind(text.as_str()),
                Value::Integer(number) => query.bind(*number),
            })
    }

    #[cfg(test)]
    fn text(&self) -> &str {
        &self.text
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn placeholders_are_numbered_in_order() {
        let mut sql = Sql::new("SELECT * FROM t WHERE a = ");
        sql.push_bind("x").push(" AND b < ").push_bind(3_i64);
        assert_eq!(sql.text(), "SELECT * FROM t WHERE a = $1 AND b < $2");
    }
}
