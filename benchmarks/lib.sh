# Shared by the benchmark scripts: `source benchmarks/lib.sh` from the project root.

# A free TCP port on 127.0.0.1.
free_port() { python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])'; }

# The median of the numbers given as arguments.
median() { printf '%s\n' "$@" | sort -g | awk '{v[NR]=$1} END {print (NR % 2) ? v[(NR+1)/2] : (v[NR/2] + v[NR/2+1]) / 2}'; }

# The machine's CPU ticks so far, "steal total" (from the cpu line of
# /proc/stat; guest time is already inside user and nice).
cpu_ticks() { awk '/^cpu / {t=0; for (i=2; i<=9; i++) t+=$i; print $9, t}' /proc/stat; }
# Percentage of CPU time the hypervisor took away (steal) between two
# cpu_ticks readings: on a shared VM, the part of a slow period that is not
# the programs measured.
steal_percent() { # "STEAL0 TOTAL0" "STEAL1 TOTAL1"
  python3 -c "import sys; s0, t0 = map(int, sys.argv[1].split()); s1, t1 = map(int, sys.argv[2].split()); print('%.1f' % (100 * (s1 - s0) / max(1, t1 - t0)))" "$1" "$2"
}

# Makes the run's work directory WORK (under PARENT, default /tmp) and the
# PIDS list; on exit every pid in PIDS is stopped and waited for, an nginx
# started in WORK is stopped, and WORK is removed.
make_work_dir() { # [PARENT]
  WORK=$(mktemp -d ${1:+-p "$1"})
  PIDS=()
  trap cleanup_work_dir EXIT
}
cleanup_work_dir() {
  local p
  for p in "${PIDS[@]}"; do kill "$p" 2>/dev/null || true; done
  for p in "${PIDS[@]}"; do wait "$p" 2>/dev/null || true; done
  [ -f "$WORK/nginx.pid" ] && kill "$(cat "$WORK/nginx.pid")" 2>/dev/null || true
  rm -rf "$WORK"
}

# Installs the Debian packages named (command:package pairs) whose command is missing.
ensure_tools() { # wrk:wrk nginx:nginx-light …
  local missing=() pair
  for pair in "$@"; do
    command -v "${pair%%:*}" >/dev/null || [ -x "/usr/sbin/${pair%%:*}" ] || missing+=("${pair#*:}")
  done
  [ ${#missing[@]} -eq 0 ] && return 0
  local SUDO=""; [ "$(id -u)" -eq 0 ] || SUDO=sudo
  echo "bench: installing ${missing[*]}" >&2
  $SUDO apt-get install -y -q "${missing[@]}" >&2 || { $SUDO apt-get update -q >&2 && $SUDO apt-get install -y -q "${missing[@]}" >&2; }
}

# Starts nginx on 127.0.0.1:PORT answering every request with 200 and BODY
# (JSON), from DIR (its pid file is DIR/nginx.pid). WORKERS defaults to auto.
start_nginx() { # PORT BODY DIR [WORKERS]
  local port=$1 body=$2 dir=$3 workers=${4:-auto}
  local nginx; nginx=$(command -v nginx || echo /usr/sbin/nginx)
  mkdir -p "$dir/nginx/logs"
  cat > "$dir/nginx.conf" <<N
worker_processes $workers;
pid $dir/nginx.pid;
error_log $dir/nginx/logs/error.log warn;
events { worker_connections 4096; }
http {
  access_log off;
  keepalive_requests 1000000;
  client_body_temp_path $dir/nginx/body;
  proxy_temp_path $dir/nginx/proxy;
  fastcgi_temp_path $dir/nginx/fastcgi;
  uwsgi_temp_path $dir/nginx/uwsgi;
  scgi_temp_path $dir/nginx/scgi;
  server {
    listen 127.0.0.1:$port;
    location / { default_type application/json; return 200 '$body'; }
  }
}
N
  "$nginx" -p "$dir/nginx" -c "$dir/nginx.conf"
}

# Replaces (or appends) the section of BENCHMARKS.md whose "## " heading is
# the first line of TEXT.
write_section() { # TEXT
  python3 - "$1" <<'PY'
import pathlib, re, sys
section = sys.argv[1].strip() + "\n"
heading = section.splitlines()[0]
path = pathlib.Path("BENCHMARKS.md")
text = path.read_text() if path.exists() else "# Benchmarks\n\nFigures measured on this project's machines by the scripts in benchmarks/.\n"
pattern = re.compile(re.escape(heading) + r"\n.*?(?=\n## |\Z)", re.S)
text = pattern.sub(lambda _: section, text) if pattern.search(text) else text.rstrip() + "\n\n" + section
path.write_text(text)
PY
  echo "wrote BENCHMARKS.md" >&2
}
