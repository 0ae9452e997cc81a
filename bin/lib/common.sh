# Shared by the scripts in bin/. Expects $root to be the repository root.

# The JVM options Flink, Kafka and the emulator need on Java 17. EVENTFLOW_HEAP sets the heap, EVENTFLOW_GC the
# collector (throughput first by default; the latency benchmark gives the servers' process a low-pause one).
jvm_options() {
  echo "-Xmx${EVENTFLOW_HEAP:-3g} ${EVENTFLOW_GC:--XX:+UseParallelGC} \
--add-opens=java.base/java.lang=ALL-UNNAMED --add-opens=java.base/java.lang.reflect=ALL-UNNAMED \
--add-opens=java.base/java.util=ALL-UNNAMED --add-opens=java.base/java.util.concurrent=ALL-UNNAMED \
--add-opens=java.base/java.util.concurrent.atomic=ALL-UNNAMED --add-opens=java.base/java.time=ALL-UNNAMED \
--add-opens=java.base/java.net=ALL-UNNAMED --add-opens=java.base/java.nio=ALL-UNNAMED \
--add-opens=java.base/sun.nio.ch=ALL-UNNAMED --add-opens=java.base/java.io=ALL-UNNAMED \
--add-opens=java.base/java.text=ALL-UNNAMED --add-opens=java.sql/java.sql=ALL-UNNAMED"
}

# The JVM options of the ops commands: the job's main class runs in them to build its graph, as under flink run.
ops_jvm_options() {
  EVENTFLOW_HEAP="${EVENTFLOW_OPS_HEAP:-1g}" jvm_options
}

# Runs an ops command (bin/submit, bin/status, ...): builds ops on first use, then runs it with its classpath.
run_ops() {
  ensure_built ops
  exec java $(ops_jvm_options) -cp "$(module_classpath ops)" io.eventflow.ops.cli.Ops "$@"
}

# Builds a module (and what it depends on) when it was never built or its sources changed since.
# The stamp is the file the build leaves (default: the module's classpath.txt); further arguments are files the module
# is made from too (an upstream module's stamp), which make it stale when they are newer.
ensure_built() {
  local module="$1"
  local stamp="${2:-$root/$module/target/classpath.txt}"
  shift; shift || true
  if [ ! -f "$stamp" ] || [ -n "$(find "$root/$module/src/main" "$root/$module/pom.xml" "$root/pom.xml" "$@" -newer "$stamp" -print -quit 2>/dev/null)" ]; then
    echo "building $module (first use or sources changed) ..." >&2
    # Maven's output goes to a file, shown only when the build fails, so the lines a script prints are its only
    # output, on stdout and stderr alike. jansi.noreset: Debian's Maven 3.8 writes a terminal reset (ESC[0m) to
    # stdout and stderr as it exits, batch mode and -q notwithstanding, which would land in front of the next line.
    local build_log
    build_log="$(mktemp)"
    if ! (cd "$root" && MAVEN_OPTS="${MAVEN_OPTS:-} -Djansi.noreset=true" \
        mvn -B -q -Dstyle.color=never -pl "$module" -am install -DskipTests >"$build_log" 2>&1); then
      cat "$build_log" >&2
      rm -f "$build_log"
      echo "building $module failed (the Maven output is above)" >&2
      exit 1
    fi
    rm -f "$build_log"
    touch "$stamp" # the build may leave an unchanged stamp untouched
  fi
}

# Log settings for a JVM of these scripts: devstack's own log4j2.properties, named explicitly because the test jars
# of Flink on the classpath carry a log4j2-test.properties that Log4j would prefer and that switches logging off;
# the log goes to the file given.
log_options() {
  echo "-Dlog4j2.configurationFile=$root/devstack/src/main/resources/log4j2.properties -Deventflow.log.file=$1"
}

# The runtime classpath of a built module: its classes and its dependencies.
module_classpath() {
  local module="$1"
  echo "$root/$module/target/classes:$(cat "$root/$module/target/classpath.txt")"
}

# Prints the calling script's header comment (what it does and its options) and exits, when an argument asks for help:
# before anything is built or started.
usage_if_help() {
  local arg
  for arg in "$@"; do
    if [ "$arg" = "--" ]; then
      return
    fi
    if [ "$arg" = "--help" ] || [ "$arg" = "-h" ]; then
      sed -n '2,/^[^#]/{/^#/s/^# \{0,1\}//p}' "$0"
      exit 0
    fi
  done
}
