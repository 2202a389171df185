-- 006_people_pager.sql — a person's call address in the hospital paging
-- system (DESIGN §10), 1 to 16 digits, from the people file's optional sixth
-- column. NULL: no pager, pages go by SMS only. People imported before there
-- was a column have none until a six-column file gives them one.
ALTER TABLE people ADD COLUMN pager TEXT
	CHECK (pager IS NULL OR (length(pager) BETWEEN 1 AND 16
	    AND pager NOT GLOB '*[^0-9]*'));
