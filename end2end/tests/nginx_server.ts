import { spawn } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import type { Processes } from './processes';

const nginxBin = process.env.NGINX ?? '/usr/sbin/nginx';

/**
 * Starts nginx as the suite runs it: in the foreground, with its pid, error log and temporary
 * files in `dir`; `http` is the rest of its `http { }` block (logs, upstreams, servers). It is
 * kept by `processes` and stopped with SIGTERM: its workers outlive a master killed with SIGKILL.
 */
export function startNginx(processes: Processes, dir: string, http: string) {
  writeFileSync(
    `${dir}/nginx.conf`,
    `daemon off;
worker_processes 1;
pid ${dir}/nginx.pid;
error_log ${dir}/error.log;
events { worker_connections 512; }
http {
  client_body_temp_path ${dir}/client_body;
  proxy_temp_path ${dir}/proxy;
  fastcgi_temp_path ${dir}/fastcgi;
  uwsgi_temp_path ${dir}/uwsgi;
  scgi_temp_path ${dir}/scgi;
${http}
}
`,
  );
  processes.add(spawn(nginxBin, ['-p', dir, '-c', `${dir}/nginx.conf`, '-e', `${dir}/error.log`], { stdio: 'ignore' }), 'SIGTERM');
}
