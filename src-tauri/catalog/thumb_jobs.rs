//! The durable thumbnail queue. A job is inserted with its image row; it is deleted once the
//! thumbnails are in the cache. A job whose owner process is gone is claimed by the next one.

use rusqlite::params;

use super::Catalog;
use crate::error::Result;
use crate::model::now_ms;

#[derive(Debug, Clone)]
pub struct ThumbJob {
    pub seq: i64,
    pub sizes: u8,
    pub owner: Option<String>,
    pub attempts: u32,
    /// Library-relative temp path of an original not yet renamed into place.
    pub original_tmp: Option<String>,
}

impl Catalog {
    /// Every queued job (few: the queue only holds work in flight or left by a crash).
    pub fn thumb_jobs(&self) -> Result<Vec<ThumbJob>> {
        let mut stmt = self.conn().prepare(
            "SELECT image_seq, sizes, owner, attempts, original_tmp FROM thumb_jobs ORDER BY image_seq",
        )?;
        let rows = stmt.query_map([], |r| {
            Ok(ThumbJob {
                seq: r.get(0)?,
                sizes: r.get(1)?,
                owner: r.get(2)?,
                attempts: r.get(3)?,
                original_tmp: r.get(4)?,
            })
        })?;
        Ok(rows.collect::<Result<Vec<_>, _>>()?)
    }

    /// Takes over a job if it still belongs to `from` (compare-and-set).
    pub fn claim_thumb_job(&self, seq: i64, from: Option<&str>, to: &str) -> Result<bool> {
        let n = self.conn().execute(
            "UPDATE thumb_jobs SET owner = ?1 WHERE image_seq = ?2 AND owner IS ?3",
            params![to, seq, from],
        )?;
        Ok(n == 1)
    }

    /// Queues (or widens) thumbnail work for an image.
    pub fn queue_thumb_job(&self, seq: i64, sizes: u8, owner: &str) -> Result<()> {
        self.conn().execute(
            "INSERT INTO thumb_jobs (image_seq, sizes, owner, created_at) VALUES (?1, ?2, ?3, ?4)
             ON CONFLICT (image_seq) DO UPDATE SET sizes = sizes | excluded.sizes, owner = excluded.owner",
            params![seq, sizes, owner, now_ms()],
        )?;
        Ok(())
    }

    /// The original of a job is in place: forget its temp path.
    pub fn clear_original_tmp(&self, seq: i64) -> Result<()> {
        self.conn().execute(
            "UPDATE thumb_jobs SET original_tmp = NULL WHERE image_seq = ?1",
            [seq],
        )?;
        Ok(())
    }

    pub fn finish_thumb_job(&self, seq: i64) -> Result<()> {
        self.conn()
            .prepare_cached("DELETE FROM thumb_jobs WHERE image_seq = ?1")?
            .execute([seq])?;
        Ok(())
    }

    /// Records a failure; the job stays queued (for `thumbs --missing` / fsck to retry).
    pub fn fail_thumb_job(&self, seq: i64, error: &str) -> Result<()> {
        self.conn().execute(
            "UPDATE thumb_jobs SET attempts = attempts + 1, last_error = ?1, owner = NULL WHERE image_seq = ?2",
            params![error, seq],
        )?;
        Ok(())
    }
}
