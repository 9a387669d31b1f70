//! Content-addressed, immutable blob storage for documents' bytes, identified by their SHA-256.
//!
//! `put` reads its input to the end and returns only once the content is durable, so the caller
//! can then commit a transaction that references the id. Two implementations:
//! `FsBlobStore`, files under the data directory (written to a temporary file, fsynced, renamed
//! into place, directory fsynced); and `PgBlobStore`, a table in PostgreSQL for deployments that
//! share one database and nothing else. Both stream in chunks: a 100 MB document never sits in
//! memory whole. Reading verifies the content against its id at the end of the stream.

use std::fmt;
use std::path::{Path, PathBuf};
use std::pin::Pin;
use std::str::FromStr;

use bytes::Bytes;
use futures_util::{Stream, StreamExt, stream};
use ring::digest::{Context, SHA256};
use sqlx::PgPool;
use tokio::io::{AsyncRead, AsyncReadExt, AsyncWriteExt};

/// Size of the pieces in which content is read, hashed and (for PostgreSQL) stored.
pub const CHUNK_SIZE: usize = 1024 * 1024;

/// A blob's SHA-256.
#[derive(Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct BlobId(pub [u8; 32]);

impl BlobId {
    /// The id `content` would get.
    pub fn of(content: &[u8]) -> Self {
        let mut context = Context::new(&SHA256);
        context.update(content);
        Self::from_context(context)
    }

    fn from_context(context: Context) -> Self {
        let mut id = [0; 32];
        id.copy_from_slice(context.finish().as_ref());
        BlobId(id)
    }

    pub fn to_hex(&self) -> String {
        hex::encode(self.0)
    }
}

impl fmt::Display for BlobId {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.to_hex())
    }
}

impl fmt::Debug for BlobId {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "BlobId({})", self.to_hex())
    }
}

impl FromStr for BlobId {
    type Err = BlobError;

    fn from_str(text: &str) -> Result<Self, Self::Err> {
        let mut id = [0; 32];
        hex::decode_to_slice(text, &mut id)
            .map_err(|_| BlobError::BadId(text.chars().take(80).collect()))?;
        Ok(BlobId(id))
    }
}

/// A stored blob: its id and size in bytes.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct BlobInfo {
    pub id: BlobId,
    pub size: u64,
}

#[derive(Debug, thiserror::Error)]
pub enum BlobError {
    #[error("blob {0} does not exist")]
    NotFound(BlobId),
    #[error("`{0}` is not a SHA-256 in hex")]
    BadId(String),
    #[error("blob {id} is damaged: its content no longer hashes to its id")]
    Damaged { id: BlobId },
    #[error("reading the content to store: {0}")]
    Input(#[source] std::io::Error),
    #[error("{}: {source}", path.display())]
    Io {
        path: PathBuf,
        #[source]
        source: std::io::Error,
    },
    #[error("blob table, while {action}: {source}")]
    Database {
        action: &'static str,
        #[source]
        source: sqlx::Error,
    },
}

/// A blob's content, piece by piece.
pub type BlobStream = Pin<Box<dyn Stream<Item = Result<Bytes, BlobError>> + Send>>;

/// Where documents' bytes live.
#[async_trait::async_trait]
pub trait BlobStore: Send + Sync + fmt::Debug {
    /// Reads `content` to its end, stores it under its SHA-256 (once: storing the same content
    /// again changes nothing) and returns when it is durable.
    async fn put(
        &self,
        content: &mut (dyn AsyncRead + Unpin + Send),
    ) -> Result<BlobInfo, BlobError>;

    /// The size of a stored blob, or `None`.
    async fn size(&self, id: &BlobId) -> Result<Option<u64>, BlobError>;

    /// The content; the stream ends with `Damaged` if it does not hash to `id`.
    async fn open(&self, id: &BlobId) -> Result<BlobStream, BlobError>;
}

/// Reads a whole blob into memory (for small blobs and tests).
pub async fn read_all(store: &dyn BlobStore, id: &BlobId) -> Result<Vec<u8>, BlobError> {
    let mut stream = store.open(id).await?;
    let mut content = Vec::new();
    while let Some(piece) = stream.next().await {
        content.extend_from_slice(&piece?);
    }
    Ok(content)
}

/// Wraps a stream of pieces so that it fails at the end unless the content hashes to `id`.
fn verified(id: BlobId, pieces: BlobStream) -> BlobStream {
    struct State {
        pieces: BlobStream,
        hasher: Option<Context>,
    }
    let state = State {
        pieces,
        hasher: Some(Context::new(&SHA256)),
    };
    Box::pin(stream::unfold(state, move |mut state| async move {
        let hasher = state.hasher.as_mut()?;
        match state.pieces.next().await {
            Some(Ok(piece)) => {
                hasher.update(&piece);
                Some((Ok(piece), state))
            }
            Some(Err(error)) => {
                state.hasher = None;
                Some((Err(error), state))
            }
            None => {
                let hasher = state.hasher.take()?;
                if BlobId::from_context(hasher) == id {
                    None
                } else {
                    Some((Err(BlobError::Damaged { id }), state))
                }
            }
        }
    }))
}

/// Fills `buffer` from `content` as far as it goes; returns how many bytes were read (less than
/// the buffer only at the end).
async fn read_chunk(
    content: &mut (dyn AsyncRead + Unpin + Send),
    buffer: &mut [u8],
) -> Result<usize, BlobError> {
    let mut filled = 0;
    while filled < buffer.len() {
        let read = content
            .read(&mut buffer[filled..])
            .await
            .map_err(BlobError::Input)?;
        if read == 0 {
            break;
        }
        filled += read;
    }
    Ok(filled)
}

/// Blobs as read-only files `ROOT/ab/cd/abcd…` (the SHA-256 in hex).
#[derive(Debug, Clone)]
pub struct FsBlobStore {
    root: PathBuf,
}

impl FsBlobStore {
    /// Uses (creating when missing) `root` and its `tmp` folder for uploads in progress.
    pub fn open(root: &Path) -> Result<Self, super::StoreError> {
        super::create_dir(&root.join("tmp"))?;
        Ok(FsBlobStore {
            root: root.to_path_buf(),
        })
    }

    fn path_of(&self, id: &BlobId) -> PathBuf {
        let hex = id.to_hex();
        self.root.join(&hex[0..2]).join(&hex[2..4]).join(hex)
    }

    fn io(path: &Path) -> impl FnOnce(std::io::Error) -> BlobError + '_ {
        move |source| BlobError::Io {
            path: path.to_path_buf(),
            source,
        }
    }

    /// Copies `content` into `temp`, hashing as it goes, and fsyncs the file.
    async fn write_temp(
        temp: &Path,
        content: &mut (dyn AsyncRead + Unpin + Send),
    ) -> Result<BlobInfo, BlobError> {
        let mut file = tokio::fs::File::create(temp)
            .await
            .map_err(Self::io(temp))?;
        let mut hasher = Context::new(&SHA256);
        let mut buffer = vec![0; CHUNK_SIZE];
        let mut size = 0u64;
        loop {
            let read = read_chunk(content, &mut buffer).await?;
            if read == 0 {
                break;
            }
            let piece = buffer.get(..read).unwrap_or_default();
            hasher.update(piece);
            file.write_all(piece).await.map_err(Self::io(temp))?;
            size += read as u64;
        }
        file.sync_all().await.map_err(Self::io(temp))?;
        Ok(BlobInfo {
            id: BlobId::from_context(hasher),
            size,
        })
    }

    /// Moves a finished temporary file to its final name and makes the rename durable.
    async fn publish(&self, temp: &Path, id: &BlobId) -> Result<(), BlobError> {
        let path = self.path_of(id);
        let dir = path.parent().unwrap_or(&self.root).to_path_buf();
        tokio::fs::create_dir_all(&dir)
            .await
            .map_err(Self::io(&dir))?;
        let mut permissions = tokio::fs::metadata(temp)
            .await
            .map_err(Self::io(temp))?
            .permissions();
        permissions.set_readonly(true);
        tokio::fs::set_permissions(temp, permissions)
            .await
            .map_err(Self::io(temp))?;
        tokio::fs::rename(temp, &path)
            .await
            .map_err(Self::io(&path))?;
        // fsync the directory so that the new name survives a crash, not only the content.
        let handle = tokio::fs::File::open(&dir).await.map_err(Self::io(&dir))?;
        handle.sync_all().await.map_err(Self::io(&dir))?;
        Ok(())
    }
}

#[async_trait::async_trait]
impl BlobStore for FsBlobStore {
    async fn put(
        &self,
        content: &mut (dyn AsyncRead + Unpin + Send),
    ) -> Result<BlobInfo, BlobError> {
        let temp = self
            .root
            .join("tmp")
            .join(format!("{}.part", uuid::Uuid::new_v4()));
        let written = Self::write_temp(&temp, content).await;
        let result = match written {
            Ok(info)
                if tokio::fs::try_exists(self.path_of(&info.id))
                    .await
                    .unwrap_or(false) =>
            {
                Ok(info)
            }
            Ok(info) => self.publish(&temp, &info.id).await.map(|()| info),
            Err(error) => Err(error),
        };
        // Whatever happened, the temporary file is not needed any more (after a rename it is gone).
        let _ = tokio::fs::remove_file(&temp).await;
        result
    }

    async fn size(&self, id: &BlobId) -> Result<Option<u64>, BlobError> {
        let path = self.path_of(id);
        match tokio::fs::metadata(&path).await {
            Ok(meta) => Ok(Some(meta.len())),
            Err(error) if error.kind() == std::io::ErrorKind::NotFound => Ok(None),
            Err(source) => Err(BlobError::Io { path, source }),
        }
    }

    async fn open(&self, id: &BlobId) -> Result<BlobStream, BlobError> {
        let path = self.path_of(id);
        let file = match tokio::fs::File::open(&path).await {
            Ok(file) => file,
            Err(error) if error.kind() == std::io::ErrorKind::NotFound => {
                return Err(BlobError::NotFound(*id));
            }
            Err(source) => return Err(BlobError::Io { path, source }),
        };
        let pieces =
            tokio_util::io::ReaderStream::with_capacity(file, CHUNK_SIZE).map(move |piece| {
                piece.map_err(|source| BlobError::Io {
                    path: path.clone(),
                    source,
                })
            });
        Ok(verified(*id, Box::pin(pieces)))
    }
}

/// Blobs in PostgreSQL: `blobs` names each content by its SHA-256, `blob_chunks` holds it in
/// pieces of `CHUNK_SIZE`.
#[derive(Debug, Clone)]
pub struct PgBlobStore {
    pool: PgPool,
}

impl PgBlobStore {
    pub fn new(pool: PgPool) -> Self {
        PgBlobStore { pool }
    }
}

fn db(action: &'static str) -> impl FnOnce(sqlx::Error) -> BlobError {
    move |source| BlobError::Database { action, source }
}

#[async_trait::async_trait]
impl BlobStore for PgBlobStore {
    async fn put(
        &self,
        content: &mut (dyn AsyncRead + Unpin + Send),
    ) -> Result<BlobInfo, BlobError> {
        // The chunks go in under a fresh content id; only when the hash is known does the
        // `blobs` row name them. Content already stored is detected then, and the transaction
        // (with its duplicate chunks) is rolled back.
        let content_id = uuid::Uuid::new_v4();
        let mut tx = self.pool.begin().await.map_err(db("starting an upload"))?;
        let mut hasher = Context::new(&SHA256);
        let mut buffer = vec![0; CHUNK_SIZE];
        let mut size = 0u64;
        let mut part = 0i32;
        loop {
            let read = read_chunk(content, &mut buffer).await?;
            if read == 0 {
                break;
            }
            let piece = buffer.get(..read).unwrap_or_default();
            hasher.update(piece);
            sqlx::query("INSERT INTO blob_chunks (content_id, part, data) VALUES ($1, $2, $3)")
                .bind(content_id)
                .bind(part)
                .bind(piece)
                .execute(&mut *tx)
                .await
                .map_err(db("storing a chunk"))?;
            size += read as u64;
            part += 1;
        }
        let id = BlobId::from_context(hasher);
        let inserted = sqlx::query(concat!(
            "INSERT INTO blobs (sha256, size, content_id, created_at) VALUES ($1, $2, $3, now()) ",
            "ON CONFLICT (sha256) DO NOTHING"
        ))
        .bind(id.0.as_slice())
        .bind(i64::try_from(size).unwrap_or(i64::MAX))
        .bind(content_id)
        .execute(&mut *tx)
        .await
        .map_err(db("naming a blob"))?;
        if inserted.rows_affected() == 1 {
            tx.commit().await.map_err(db("committing a blob"))?;
        } else {
            tx.rollback()
                .await
                .map_err(db("dropping a duplicate blob"))?;
        }
        Ok(BlobInfo { id, size })
    }

    async fn size(&self, id: &BlobId) -> Result<Option<u64>, BlobError> {
        let size: Option<i64> = sqlx::query_scalar("SELECT size FROM blobs WHERE sha256 = $1")
            .bind(id.0.as_slice())
            .fetch_optional(&self.pool)
            .await
            .map_err(db("reading a blob's size"))?;
        Ok(size.map(|size| u64::try_from(size).unwrap_or(0)))
    }

    async fn open(&self, id: &BlobId) -> Result<BlobStream, BlobError> {
        let content_id: Option<uuid::Uuid> =
            sqlx::query_scalar("SELECT content_id FROM blobs WHERE sha256 = $1")
                .bind(id.0.as_slice())
                .fetch_optional(&self.pool)
                .await
                .map_err(db("opening a blob"))?;
        let content_id = content_id.ok_or(BlobError::NotFound(*id))?;
        let pool = self.pool.clone();
        // One query per chunk, so only one chunk is in memory at a time.
        let pieces = stream::unfold(Some(0i32), move |part| {
            let pool = pool.clone();
            async move {
                let current = part?;
                let data: Result<Option<Vec<u8>>, BlobError> = sqlx::query_scalar(
                    "SELECT data FROM blob_chunks WHERE content_id = $1 AND part = $2",
                )
                .bind(content_id)
                .bind(current)
                .fetch_optional(&pool)
                .await
                .map_err(db("reading a chunk"));
                match data {
                    Ok(Some(data)) => Some((Ok(Bytes::from(data)), current.checked_add(1))),
                    Ok(None) => None,
                    Err(error) => Some((Err(error), None)),
                }
            }
        });
        Ok(verified(*id, Box::pin(pieces)))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[tokio::test]
    async fn files_are_stored_once_under_their_hash_and_read_back_verified() {
        let dir = tempfile::tempdir().unwrap();
        let store = FsBlobStore::open(dir.path()).unwrap();
        let content: Vec<u8> = (0..(CHUNK_SIZE * 2 + 17))
            .map(|i| (i % 251) as u8)
            .collect();
        let info = store.put(&mut content.as_slice()).await.unwrap();
        assert_eq!(info.id, BlobId::of(&content));
        assert_eq!(info.size, content.len() as u64);
        let again = store.put(&mut content.as_slice()).await.unwrap();
        assert_eq!(again, info);
        assert_eq!(read_all(&store, &info.id).await.unwrap(), content);
        assert_eq!(
            store.size(&info.id).await.unwrap(),
            Some(content.len() as u64)
        );
        // No temporary file is left behind.
        assert_eq!(
            std::fs::read_dir(dir.path().join("tmp")).unwrap().count(),
            0
        );
    }

    #[tokio::test]
    async fn a_damaged_file_is_reported_not_served_silently() {
        let dir = tempfile::tempdir().unwrap();
        let store = FsBlobStore::open(dir.path()).unwrap();
        let info = store.put(&mut &b"%PDF-1.7 original"[..]).await.unwrap();
        let path = store.path_of(&info.id);
        let mut permissions = std::fs::metadata(&path).unwrap().permissions();
        assert!(permissions.readonly(), "stored blobs are read-only");
        #[allow(clippy::permissions_set_readonly_false)]
        permissions.set_readonly(false);
        std::fs::set_permissions(&path, permissions).unwrap();
        std::fs::write(&path, b"%PDF-1.7 tampered").unwrap();
        assert!(matches!(
            read_all(&store, &info.id).await,
            Err(BlobError::Damaged { .. })
        ));
        let unknown = BlobId::of(b"never stored");
        assert!(matches!(
            store.open(&unknown).await,
            Err(BlobError::NotFound(_))
        ));
        assert!("zz".parse::<BlobId>().is_err());
    }
}
