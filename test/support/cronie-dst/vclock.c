/* Virtual clock for crond (LD_PRELOAD). time(), gettimeofday(), clock_gettime(CLOCK_REALTIME) return a virtual
 * time starting at $VCLOCK_START (epoch seconds). sleep(n) first sleeps $VCLOCK_REAL_MS of real time (so jobs forked
 * at the current virtual minute run and read the clock), then advances the virtual clock by n seconds and writes it
 * to $VCLOCK_FILE. At $VCLOCK_END the daemon exits. Jobs do not inherit LD_PRELOAD (cronie gives them the crontab's
 * environment): they read the time of their fork from the note fork() leaves (see fork() below). */
#define _GNU_SOURCE
#include <time.h>
#include <sys/time.h>
#include <stdlib.h>
#include <stdio.h>
#include <unistd.h>
#include <signal.h>
#include <fcntl.h>
#include <string.h>
#include <dlfcn.h>

static time_t vnow, vend;
static long real_ms = 100;
static const char *vfile;

static void publish(void) {
  if (!vfile) return;
  char tmp[512]; snprintf(tmp, sizeof tmp, "%s.tmp%d", vfile, (int)getpid());
  FILE *f = fopen(tmp, "w"); if (!f) return;
  fprintf(f, "%lld\n", (long long)vnow); fclose(f); rename(tmp, vfile);
}

__attribute__((constructor)) static void init(void) {
  const char *s = getenv("VCLOCK_START"), *e = getenv("VCLOCK_END"), *r = getenv("VCLOCK_REAL_MS");
  vnow = s ? (time_t)atoll(s) : 0; vend = e ? (time_t)atoll(e) : 0; if (r) real_ms = atol(r);
  vfile = getenv("VCLOCK_FILE");
  if (vnow && vfile && getenv("VCLOCK_PUBLISH")) { publish(); unsetenv("VCLOCK_PUBLISH"); }
}

time_t time(time_t *t) { if (t) *t = vnow; return vnow; }
int gettimeofday(struct timeval *tv, void *tz) { (void)tz; if (tv) { tv->tv_sec = vnow; tv->tv_usec = 0; } return 0; }
int clock_gettime(clockid_t c, struct timespec *ts) {
  if (c == CLOCK_REALTIME || c == CLOCK_REALTIME_COARSE) { ts->tv_sec = vnow; ts->tv_nsec = 0; return 0; }
  static int (*real)(clockid_t, struct timespec *);
  if (!real) real = (int (*)(clockid_t, struct timespec *))dlsym(RTLD_NEXT, "clock_gettime");
  return real(c, ts);
}

/* Each forked child notes the virtual time of its fork in $VCLOCK_FILE.at/<pid>: the job (exec'd by cronie's
 * grandchild) reads the file of its own pid or its parent's, so the time it logs is the one cronie started it at. */
pid_t fork(void) {
  static pid_t (*real)(void);
  if (!real) real = (pid_t (*)(void))dlsym(RTLD_NEXT, "fork");
  pid_t p = real();
  if (p == 0 && vfile) {
    char path[512]; snprintf(path, sizeof path, "%s.at/%d", vfile, (int)getpid());
    FILE *f = fopen(path, "w"); if (f) { fprintf(f, "%lld\n", (long long)vnow); fclose(f); }
  }
  return p;
}

unsigned int sleep(unsigned int n) {
  usleep((useconds_t)(real_ms * 1000));
  vnow += n;
  publish();
  if (vend && vnow >= vend) kill(getpid(), SIGTERM);
  return 0;
}
