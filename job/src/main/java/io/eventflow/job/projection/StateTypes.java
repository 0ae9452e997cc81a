package io.eventflow.job.projection;

import org.apache.flink.api.common.typeinfo.TypeInformation;
import org.apache.flink.api.common.typeutils.CompositeType;
import org.apache.flink.api.java.typeutils.GenericTypeInfo;
import org.apache.flink.api.java.typeutils.ListTypeInfo;
import org.apache.flink.api.java.typeutils.MapTypeInfo;
import org.apache.flink.api.java.typeutils.ObjectArrayTypeInfo;

import io.eventflow.job.config.InvalidConfigurationException;

/**
 * Projection state types must be serialized by Flink's own serializers: Kryo is slow, and a state Kryo wrote cannot
 * evolve with the class, so a savepoint would not restore after a field is added.
 */
final class StateTypes {

    private StateTypes() {
    }

    /**
     * @throws InvalidConfigurationException naming the projection, the state type and the first field that would fall
     *                                       back to Kryo, with what to use instead
     */
    static void requireFlinkSerializable(String projection, Class<?> stateType) {
        TypeInformation<?> info;
        try {
            info = TypeInformation.of(stateType);
        } catch (RuntimeException e) {
            throw new InvalidConfigurationException("projection '" + projection + "': Flink cannot analyse its state type "
                + stateType.getName() + ": " + e.getMessage());
        }
        String kryo = kryoPath(info, stateType.getSimpleName());
        if (kryo != null) {
            throw new InvalidConfigurationException("projection '" + projection + "': its state type "
                + stateType.getName() + " would be serialized with Kryo, because " + kryo + " is not a type Flink "
                + "serializes itself. Make the state a POJO (public class, public no-argument constructor, public "
                + "fields or getters and setters) of primitives, String, BigDecimal, Instant, arrays and other such "
                + "POJOs; use arrays instead of List or Map fields");
        }
    }

    /** The path of the first part of the type that Flink would hand to Kryo, or null. */
    private static String kryoPath(TypeInformation<?> info, String path) {
        if (info instanceof GenericTypeInfo<?>) {
            return path + " (" + info.getTypeClass().getName() + ")";
        }
        if (info instanceof CompositeType<?> composite) {
            String[] names = composite.getFieldNames();
            for (int i = 0; i < composite.getArity(); i++) {
                String found = kryoPath(composite.getTypeAt(i), path + "." + names[i]);
                if (found != null) {
                    return found;
                }
            }
        } else if (info instanceof ObjectArrayTypeInfo<?, ?> array) {
            return kryoPath(array.getComponentInfo(), path + "[]");
        } else if (info instanceof ListTypeInfo<?> list) {
            return kryoPath(list.getElementTypeInfo(), path + "[]");
        } else if (info instanceof MapTypeInfo<?, ?> map) {
            String key = kryoPath(map.getKeyTypeInfo(), path + ".key");
            return key != null ? key : kryoPath(map.getValueTypeInfo(), path + ".value");
        }
        return null;
    }
}
