-- Presentation mode: the masked forms a presenting browser (its "book") has been shown, each
-- standing for one value, so that what it sends back can be put back as it really was. One
-- statement claims a form, so two requests at once cannot give it to two values.
CREATE TABLE presentation_aliases (
    book TEXT NOT NULL,
    owner TEXT NOT NULL,
    masked TEXT NOT NULL,
    original TEXT NOT NULL,
    created_at BIGINT NOT NULL,
    PRIMARY KEY (book, masked),
    UNIQUE (book, original)
);
CREATE INDEX presentation_aliases_created ON presentation_aliases (created_at);
