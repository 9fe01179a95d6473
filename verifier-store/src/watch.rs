//! Noticing changes that other connections (the CLI, another window) made to the store.

use super::StoreError;
use super::schema::db_err;

impl super::Store {
    /// SQLite's `PRAGMA data_version` of this connection: a number that changes when
    /// another connection (in this process or another) has committed a change to the
    /// database since the last call, and stays the same otherwise, including after this
    /// connection's own changes.
    ///
    /// A long-lived reader (the app) polls it while idle and reloads what it shows when it
    /// changed, so a key change recorded by the CLI appears without a restart. The value
    /// itself means nothing; only compare it with an earlier value of the same `Store`.
    /// It is cheap: no table is read.
    ///
    /// ```
    /// use verifier_core::receipt::Timestamp;
    /// use verifier_store::Store;
    ///
    /// let dir = tempfile::tempdir()?;
    /// let path = dir.path().join("trust.sqlite3");
    /// let mut app = Store::open(&path)?;
    /// let before = app.data_version()?;
    /// app.add_contact("Alice", None, Timestamp::from_unix_secs(1))?;
    /// assert_eq!(app.data_version()?, before, "own changes do not count");
    ///
    /// let mut cli = Store::open(&path)?;
    /// cli.add_contact("Bob", None, Timestamp::from_unix_secs(2))?;
    /// assert_ne!(app.data_version()?, before, "another connection committed");
    /// # Ok::<(), Box<dyn std::error::Error>>(())
    /// ```
    pub fn data_version(&self) -> Result<u64, StoreError> {
        let v: i64 = self
            .conn
            .query_row("PRAGMA data_version", [], |r| r.get(0))
            .map_err(|e| db_err(&self.path, e))?;
        u64::try_from(v).map_err(|_| StoreError::InvalidStoredData {
            what: "negative data_version",
        })
    }
}

#[cfg(test)]
mod tests {
    use crate::Store;
    use verifier_core::receipt::Timestamp;

    #[test]
    fn data_version_changes_only_for_other_connections_commits() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("trust.sqlite3");
        let mut a = Store::open(&path).unwrap();
        let mut b = Store::open(&path).unwrap();
        let v0 = a.data_version().unwrap();
        assert_eq!(
            a.data_version().unwrap(),
            v0,
            "stable while nothing changes"
        );

        a.add_contact("Alice", None, Timestamp::from_unix_secs(1))
            .unwrap();
        assert_eq!(a.data_version().unwrap(), v0, "own commit");

        b.add_contact("Bob", None, Timestamp::from_unix_secs(2))
            .unwrap();
        let v1 = a.data_version().unwrap();
        assert_ne!(v1, v0, "another connection's commit");
        assert_eq!(a.data_version().unwrap(), v1, "stable again");

        // A failed (rolled back) change of the other connection commits nothing.
        assert!(
            b.add_contact("Bob", None, Timestamp::from_unix_secs(3))
                .is_err()
        );
        assert_eq!(a.data_version().unwrap(), v1, "nothing was committed");
    }
}
