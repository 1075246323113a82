-- From this step a response's JSON is stored compressed (the server's
-- src/database/responses/content.rs): a format byte, 0x01, then a raw
-- deflate stream made with a fixed preset dictionary, about 400 bytes
-- where the JSON is 1,250. PostgreSQL would not have compressed it: it
-- compresses a row only past about 2 kB. `content_sha256` is still the
-- digest of the JSON text.
-- PostgreSQL dialect of ../sqlite/0021_compressed_responses.sql.
--
-- Bytes, so BYTEA. The rows held become their JSON's UTF-8 bytes, which
-- start with `{`: the server reads those as plain JSON, for ever. This
-- rewrites both tables once, under their exclusive lock (each server
-- migrates before it serves). No trigger or index reads `content`, so
-- 0020's triggers stay as they are.
ALTER TABLE responses
    ALTER COLUMN content TYPE BYTEA USING convert_to(content, 'UTF8');
ALTER TABLE response_conflicts
    ALTER COLUMN content TYPE BYTEA USING convert_to(content, 'UTF8');
