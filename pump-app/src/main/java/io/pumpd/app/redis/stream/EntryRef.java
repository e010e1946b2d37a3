package io.pumpd.app.redis.stream;

/** An entry of a delivery stream: the stream key and the entry id. */
record EntryRef(String stream, String id) {}
