package io.eventflow.devstack.mongo.fault;

/**
 * What the {@code failGetMoreAfterCursorCheckout} fail point does to one {@code getMore}.
 *
 * @param closeConnection drop the client's connection instead of replying
 * @param errorCode       fail the getMore with this code, or null
 */
public record GetMoreFault(boolean closeConnection, Integer errorCode) {
}
