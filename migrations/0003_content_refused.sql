-- The revision of the folder that the last reload refused because it had
-- problems, while the store kept serving its last good content; '' when the
-- problems (if any) are those of the content being served. Loads decide by
-- it whether there is good content to protect.
ALTER TABLE content_meta ADD COLUMN refused TEXT NOT NULL DEFAULT '';
