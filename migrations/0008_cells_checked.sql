-- The day an editor last verified a cell (its `checked:` or its system
-- file's default), as YYYY-MM-DD; '' when the content gives none. Like the
-- rest of cells, it is rewritten by every content load.
ALTER TABLE cells ADD COLUMN checked TEXT NOT NULL DEFAULT '';
