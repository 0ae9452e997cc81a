package io.eventflow.devstack;

/** The check every server builder of the stack makes of the port it is given. */
public final class Ports {

    private Ports() {
    }

    /**
     * {@code port} if it is a TCP port or 0 (a free one, chosen when the server starts).
     *
     * @param name the builder's parameter, for the message
     * @throws IllegalArgumentException naming the parameter and the value otherwise
     */
    public static int check(String name, int port) {
        if (port < 0 || port > 65535) {
            throw new IllegalArgumentException(name + " must be between 0 and 65535, was " + port);
        }
        return port;
    }
}
