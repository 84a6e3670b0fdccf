/*
 * The limit in the same run: OpenBLAS on this machine, timed as bench/cpu.ts times
 * matdiff. Compiled by bench/openblas.ts when gcc and libopenblas-dev are present.
 *
 *   harness sgemm N RUNS    C = A·B, float32, N × N, row-major (cblas_sgemm)
 *   harness dpotrf N RUNS   Cholesky of an N × N spd matrix, then its inverse (dpotri)
 *                           and log-determinant: what matdiff's inv + logdet computes
 *   harness dgetrf N RUNS   LU with partial pivoting, then the inverse (dgetri)
 *
 * Prints one line of JSON: {"op", "n", "runs", "medianMs", "minMs", "check", "core"}; the thread
 * count is OpenBLAS's own (OPENBLAS_NUM_THREADS). Entries of A and B are uniform in
 * [-1, 1] from a fixed seed; the spd matrix is M·Mᵀ/N + I. Each sample of a factorisation
 * starts from a fresh copy of the matrix (the copy not timed).
 */
#include <cblas.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

extern char *openblas_get_corename(void);
extern void dpotrf_(const char *uplo, const int *n, double *a, const int *lda, int *info);
extern void dpotri_(const char *uplo, const int *n, double *a, const int *lda, int *info);
extern void dgetrf_(const int *m, const int *n, double *a, const int *lda, int *ipiv, int *info);
extern void dgetri_(const int *n, double *a, const int *lda, const int *ipiv, double *work, const int *lwork,
                    int *info);

static unsigned long long state = 88172645463325252ULL;
static double uniform(void) {
  state ^= state << 13;
  state ^= state >> 7;
  state ^= state << 17;
  return (double)(state >> 11) / 9007199254740992.0 * 2.0 - 1.0;
}

static double now_ms(void) {
  struct timespec t;
  clock_gettime(CLOCK_MONOTONIC, &t);
  return t.tv_sec * 1e3 + t.tv_nsec / 1e6;
}

static int cmp(const void *a, const void *b) {
  double x = *(const double *)a, y = *(const double *)b;
  return x < y ? -1 : x > y;
}

int main(int argc, char **argv) {
  if (argc != 4) {
    fprintf(stderr, "usage: harness sgemm|dpotrf|dgetrf N RUNS\n");
    return 2;
  }
  const char *op = argv[1];
  int n = atoi(argv[2]), runs = atoi(argv[3]);
  if (n < 1 || runs < 1) return 2;
  double *times = malloc(sizeof(double) * runs);
  double check = 0;
  size_t nn = (size_t)n * n;
  if (strcmp(op, "sgemm") == 0) {
    float *a = malloc(nn * 4), *b = malloc(nn * 4), *c = malloc(nn * 4);
    for (size_t i = 0; i < nn; i++) a[i] = (float)uniform(), b[i] = (float)uniform();
    cblas_sgemm(CblasRowMajor, CblasNoTrans, CblasNoTrans, n, n, n, 1.0f, a, n, b, n, 0.0f, c, n);
    for (int r = 0; r < runs; r++) {
      double t0 = now_ms();
      int reps = 0;
      do {
        cblas_sgemm(CblasRowMajor, CblasNoTrans, CblasNoTrans, n, n, n, 1.0f, a, n, b, n, 0.0f, c, n);
        reps++;
      } while (now_ms() - t0 < 20);
      times[r] = (now_ms() - t0) / reps;
    }
    /* one entry against a dot product in double */
    double s = 0;
    for (int p = 0; p < n; p++) s += (double)a[(size_t)(n / 2) * n + p] * b[(size_t)p * n + n / 3];
    check = fabs(s - c[(size_t)(n / 2) * n + n / 3]);
  } else if (strcmp(op, "dpotrf") == 0 || strcmp(op, "dgetrf") == 0) {
    int lu = op[1] == 'g';
    double *m = malloc(nn * 8), *a0 = malloc(nn * 8), *a = malloc(nn * 8);
    int *ipiv = malloc(sizeof(int) * n), info = 0, lwork = n * 64;
    double *work = malloc(sizeof(double) * lwork);
    for (size_t i = 0; i < nn; i++) m[i] = uniform();
    cblas_dgemm(CblasRowMajor, CblasNoTrans, CblasTrans, n, n, n, 1.0 / n, m, n, m, n, 0.0, a0, n);
    for (int i = 0; i < n; i++) a0[(size_t)i * n + i] += 1.0;
    for (int r = 0; r < runs; r++) {
      memcpy(a, a0, nn * 8);
      double t0 = now_ms();
      double logdet = 0;
      if (lu) {
        dgetrf_(&n, &n, a, &n, ipiv, &info);
        for (int i = 0; i < n; i++) logdet += log(fabs(a[(size_t)i * n + i]));
        if (info == 0) dgetri_(&n, a, &n, ipiv, work, &lwork, &info);
      } else {
        dpotrf_("L", &n, a, &n, &info);
        for (int i = 0; i < n; i++) logdet += 2 * log(a[(size_t)i * n + i]);
        if (info == 0) dpotri_("L", &n, a, &n, &info);
      }
      times[r] = now_ms() - t0;
      if (info != 0) {
        fprintf(stderr, "%s: info %d\n", op, info);
        return 1;
      }
      check = logdet;
    }
  } else {
    fprintf(stderr, "unknown op %s\n", op);
    return 2;
  }
  qsort(times, runs, sizeof(double), cmp);
  printf("{\"op\":\"%s\",\"n\":%d,\"runs\":%d,\"medianMs\":%.6f,\"minMs\":%.6f,\"check\":%.9g,\"core\":\"%s\"}\n",
         op, n, runs, times[runs / 2], times[0], check, openblas_get_corename());
  return 0;
}
