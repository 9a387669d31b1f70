//! Helpers shared by the pdf tests: walking every object of a document.

use vanthu::pdf::{Document, Object, ObjectId, Result};

/// Reads every object every revision defines, and decodes every stream, returning how many
/// objects were read.
pub fn read_everything(doc: &Document) -> Result<usize> {
    let mut count = 0;
    for revision in doc.revisions() {
        let view = doc.at(revision.index())?;
        for id in revision.defined_ids() {
            let object = view.object(id)?;
            if let Object::Stream(stream) = &object.object {
                view.decode_stream(stream)?;
            }
            count += 1;
        }
    }
    Ok(count)
}

#[allow(dead_code)]
pub fn id(number: u32) -> ObjectId {
    ObjectId::new(number, 0)
}
