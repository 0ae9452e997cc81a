package io.eventflow.devstack.mongo;

/**
 * The emulator's oplog at one moment.
 *
 * @param retained how many entries it holds now
 * @param capacity how many it can hold before dropping the oldest
 * @param appended how many were ever appended
 * @param dropped  how many were dropped for lack of room; change streams cannot resume before them
 */
public record OplogStats(long retained, int capacity, long appended, long dropped) {
}
