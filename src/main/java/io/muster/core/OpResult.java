package io.muster.core;

/** What one operation of a transaction branch produced. */
public sealed interface OpResult permits PutResult, DeleteResult, GetResult {

    String key();
}
