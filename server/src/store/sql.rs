//! A small common face of SQLite and PostgreSQL for the profile and consent
//! tables: statements written once (placeholders `$1`, `$2`, ...; SQL both
//! understand), run in one transaction on either backend.

use super::rows::StoreError;

/// A statement parameter.
#[derive(Clone, Copy, Debug)]
pub enum Param<'a> {
    Text(&'a str),
    OptText(Option<&'a str>),
    Int(i64),
}

impl<'a> From<&'a str> for Param<'a> {
    fn from(s: &'a str) -> Self {
        Param::Text(s)
    }
}

impl<'a> From<&'a String> for Param<'a> {
    fn from(s: &'a String) -> Self {
        Param::Text(s)
    }
}

impl<'a> From<Option<&'a str>> for Param<'a> {
    fn from(s: Option<&'a str>) -> Self {
        Param::OptText(s)
    }
}

impl From<i64> for Param<'_> {
    fn from(n: i64) -> Self {
        Param::Int(n)
    }
}

/// A column value.
#[derive(Clone, Debug, PartialEq)]
pub enum Value {
    Null,
    Int(i64),
    Text(String),
}

/// A result row.
#[derive(Clone, Debug)]
pub struct Row(pub Vec<Value>);

fn column(i: usize, want: &str) -> StoreError {
    StoreError::Database(format!("column {i}: expected {want}"))
}

impl Row {
    pub fn text(&self, i: usize) -> Result<String, StoreError> {
        match self.0.get(i) {
            Some(Value::Text(s)) => Ok(s.clone()),
            _ => Err(column(i, "text")),
        }
    }

    pub fn opt_text(&self, i: usize) -> Result<Option<String>, StoreError> {
        match self.0.get(i) {
            Some(Value::Text(s)) => Ok(Some(s.clone())),
            Some(Value::Null) => Ok(None),
            _ => Err(column(i, "text or null")),
        }
    }

    pub fn opt_int(&self, i: usize) -> Result<Option<i64>, StoreError> {
        match self.0.get(i) {
            Some(Value::Int(n)) => Ok(Some(*n)),
            Some(Value::Null) => Ok(None),
            _ => Err(column(i, "integer or null")),
        }
    }

    pub fn int(&self, i: usize) -> Result<i64, StoreError> {
        match self.0.get(i) {
            Some(Value::Int(n)) => Ok(*n),
            _ => Err(column(i, "integer")),
        }
    }
}

/// One open transaction.
pub trait Db {
    /// Runs a statement; the number of rows it changed.
    fn exec(&mut self, sql: &str, params: &[Param]) -> Result<u64, StoreError>;
    /// Runs a query (or a statement with `RETURNING`); its rows.
    fn rows(&mut self, sql: &str, params: &[Param]) -> Result<Vec<Row>, StoreError>;
    /// Serialises writers of one customer's data until the transaction ends
    /// (SQLite has one writer anyway; PostgreSQL locks the customer's row).
    fn lock_customer(&mut self, id: &str) -> Result<(), StoreError>;

    fn row(&mut self, sql: &str, params: &[Param]) -> Result<Option<Row>, StoreError> {
        Ok(self.rows(sql, params)?.into_iter().next())
    }
}

/// SQLite: parameters are bound by name (`$1` is a name to SQLite), so one
/// text serves both backends whatever order the placeholders appear in.
pub struct SqliteDb<'a>(pub &'a rusqlite::Connection);

impl SqliteDb<'_> {
    fn bind<'s>(&'s self, sql: &str, params: &[Param]) -> Result<rusqlite::CachedStatement<'s>, StoreError> {
        let mut stmt = self.0.prepare_cached(sql)?;
        for (i, p) in params.iter().enumerate() {
            let name = format!("${}", i + 1);
            let Some(index) = stmt.parameter_index(&name)? else { continue };
            match p {
                Param::Text(s) => stmt.raw_bind_parameter(index, s)?,
                Param::OptText(s) => stmt.raw_bind_parameter(index, s)?,
                Param::Int(n) => stmt.raw_bind_parameter(index, n)?,
            }
        }
        Ok(stmt)
    }
}

impl Db for SqliteDb<'_> {
    fn exec(&mut self, sql: &str, params: &[Param]) -> Result<u64, StoreError> {
        let mut stmt = self.bind(sql, params)?;
        Ok(stmt.raw_execute()? as u64)
    }

    fn rows(&mut self, sql: &str, params: &[Param]) -> Result<Vec<Row>, StoreError> {
        let mut stmt = self.bind(sql, params)?;
        let n = stmt.column_count();
        let mut rows = stmt.raw_query();
        let mut out = Vec::new();
        while let Some(r) = rows.next()? {
            let mut values = Vec::with_capacity(n);
            for i in 0..n {
                values.push(match r.get_ref(i)? {
                    rusqlite::types::ValueRef::Null => Value::Null,
                    rusqlite::types::ValueRef::Integer(v) => Value::Int(v),
                    rusqlite::types::ValueRef::Real(v) => Value::Int(v as i64),
                    rusqlite::types::ValueRef::Text(t) => Value::Text(String::from_utf8_lossy(t).into_owned()),
                    rusqlite::types::ValueRef::Blob(b) => Value::Text(String::from_utf8_lossy(b).into_owned()),
                });
            }
            out.push(Row(values));
        }
        Ok(out)
    }

    fn lock_customer(&mut self, _id: &str) -> Result<(), StoreError> {
        Ok(())
    }
}

/// PostgreSQL, driven from a blocking thread (`spawn_blocking`) so the same
/// synchronous code runs on both backends.
pub struct PgDb<'a> {
    pub handle: &'a tokio::runtime::Handle,
    pub tx: &'a deadpool_postgres::Transaction<'a>,
}

impl PgDb<'_> {
    fn params<'p>(params: &'p [Param<'p>]) -> Vec<Box<dyn tokio_postgres::types::ToSql + Sync + 'p>> {
        params
            .iter()
            .map(|p| -> Box<dyn tokio_postgres::types::ToSql + Sync + 'p> {
                match *p {
                    Param::Text(s) => Box::new(s),
                    Param::OptText(s) => Box::new(s),
                    Param::Int(n) => Box::new(n),
                }
            })
            .collect()
    }
}

impl Db for PgDb<'_> {
    fn exec(&mut self, sql: &str, params: &[Param]) -> Result<u64, StoreError> {
        let boxed = Self::params(params);
        let refs: Vec<&(dyn tokio_postgres::types::ToSql + Sync)> = boxed.iter().map(|b| b.as_ref()).collect();
        self.handle.block_on(async {
            let stmt = self.tx.prepare_cached(sql).await?;
            self.tx.execute(&stmt, &refs).await.map_err(StoreError::from)
        })
    }

    fn rows(&mut self, sql: &str, params: &[Param]) -> Result<Vec<Row>, StoreError> {
        use tokio_postgres::types::Type;
        let boxed = Self::params(params);
        let refs: Vec<&(dyn tokio_postgres::types::ToSql + Sync)> = boxed.iter().map(|b| b.as_ref()).collect();
        let rows = self.handle.block_on(async {
            let stmt = self.tx.prepare_cached(sql).await?;
            self.tx.query(&stmt, &refs).await.map_err(StoreError::from)
        })?;
        let mut out = Vec::with_capacity(rows.len());
        for r in rows {
            let mut values = Vec::with_capacity(r.len());
            for (i, c) in r.columns().iter().enumerate() {
                let v = match *c.type_() {
                    Type::INT8 => r.try_get::<_, Option<i64>>(i)?.map(Value::Int),
                    Type::INT4 => r.try_get::<_, Option<i32>>(i)?.map(|n| Value::Int(n.into())),
                    Type::INT2 => r.try_get::<_, Option<i16>>(i)?.map(|n| Value::Int(n.into())),
                    Type::BOOL => r.try_get::<_, Option<bool>>(i)?.map(|b| Value::Int(b.into())),
                    _ => r.try_get::<_, Option<String>>(i)?.map(Value::Text),
                };
                values.push(v.unwrap_or(Value::Null));
            }
            out.push(Row(values));
        }
        Ok(out)
    }

    fn lock_customer(&mut self, id: &str) -> Result<(), StoreError> {
        self.rows("SELECT id FROM customers WHERE id = $1 FOR UPDATE", &[Param::Text(id)]).map(|_| ())
    }
}
