/* Counting whole-number lifetimes for Kaplan-Meier: one pass over int64
 * durations and 0/1 event flags into counts per 2 * duration + event.
 *
 * numpy needs three passes for the same counts (the key, its range check,
 * bincount) and holds the interpreter lock throughout; this loop reads each
 * duration once, with one predictable branch per row, the lock released. kaplan_meier.py falls back to numpy
 * when the module is not built (no C compiler at install time).
 */
#define PY_SSIZE_T_CLEAN
#include <Python.h>
#include <stdint.h>

static int
get_buffer(PyObject *obj, Py_buffer *view, int writable, const char *name)
{
    int flags = PyBUF_C_CONTIGUOUS | PyBUF_FORMAT | (writable ? PyBUF_WRITABLE : 0);
    if (PyObject_GetBuffer(obj, view, flags) < 0)
        return -1;
    if (view->ndim != 1) {
        PyErr_Format(PyExc_ValueError, "%s must be one-dimensional", name);
        PyBuffer_Release(view);
        return -1;
    }
    return 0;
}

static int
is_int64(const Py_buffer *view)
{
    const char *f = view->format;
    return view->itemsize == 8 && f != NULL &&
           (f[0] == 'q' || f[0] == 'l' || (f[0] == '<' && (f[1] == 'q' || f[1] == 'l')) ||
            (f[0] == '=' && (f[1] == 'q' || f[1] == 'l')));
}

/* Counts rows from *at while their durations are at most longest (keys that
 * surely fit counts; one unsigned comparison also stops at negative ones) and
 * leaves *at at the first row that is not. Two loops rather than a test of
 * events per row: the compiler keeps each tight. An event counts by its low
 * bit, so no byte can index past counts. */
static void
count_fast(const int64_t *d, const uint8_t *e, int64_t *c, uint64_t longest,
           Py_ssize_t *at, Py_ssize_t n)
{
    Py_ssize_t i = *at;
    if (e != NULL) {
        for (; i < n; i++) {
            const uint64_t v = (uint64_t)d[i];
            if (v > longest)
                break;
            c[2 * v + (e[i] & 1)] += 1;
        }
    }
    else {
        for (; i < n; i++) {
            const uint64_t v = (uint64_t)d[i];
            if (v > longest)
                break;
            c[2 * v] += 1;
        }
    }
    *at = i;
}

/* count_pairs(durations, events, counts, start) -> (stop, needed)
 *
 * Adds 1 to counts[2 * d + e] for rows start, start + 1, ... and stops at the
 * first row whose key does not fit counts (or whose duration is negative):
 * stop is that row (len(durations) when all fit) and needed its key (-1 for a
 * negative duration, INT64_MAX for one whose key would overflow), so the caller
 * can grow counts and carry on from stop.
 * With events None every key is 2 * d.
 */
static PyObject *
count_pairs(PyObject *self, PyObject *args)
{
    PyObject *dur_obj, *ev_obj, *counts_obj;
    Py_ssize_t start;
    Py_buffer dur, ev, counts;
    if (!PyArg_ParseTuple(args, "OOOn", &dur_obj, &ev_obj, &counts_obj, &start))
        return NULL;
    if (get_buffer(dur_obj, &dur, 0, "durations") < 0)
        return NULL;
    if (!is_int64(&dur)) {
        PyBuffer_Release(&dur);
        PyErr_SetString(PyExc_TypeError, "durations must be int64");
        return NULL;
    }
    int has_events = ev_obj != Py_None;
    if (has_events) {
        if (get_buffer(ev_obj, &ev, 0, "events") < 0) {
            PyBuffer_Release(&dur);
            return NULL;
        }
        if (ev.itemsize != 1 || ev.shape[0] != dur.shape[0]) {
            PyBuffer_Release(&dur);
            PyBuffer_Release(&ev);
            PyErr_SetString(PyExc_ValueError, "events must be one byte per duration");
            return NULL;
        }
    }
    if (get_buffer(counts_obj, &counts, 1, "counts") < 0) {
        PyBuffer_Release(&dur);
        if (has_events)
            PyBuffer_Release(&ev);
        return NULL;
    }
    if (!is_int64(&counts)) {
        PyBuffer_Release(&dur);
        if (has_events)
            PyBuffer_Release(&ev);
        PyBuffer_Release(&counts);
        PyErr_SetString(PyExc_TypeError, "counts must be int64");
        return NULL;
    }
    const int64_t *d = (const int64_t *)dur.buf;
    const uint8_t *e = has_events ? (const uint8_t *)ev.buf : NULL;
    int64_t *c = (int64_t *)counts.buf;
    const Py_ssize_t n = dur.shape[0];
    const int64_t bins = (int64_t)counts.shape[0];
    Py_ssize_t i = start < 0 ? 0 : start;
    int64_t needed = 0;
    /* Keys of durations up to longest fit counts for sure. */
    const uint64_t longest = bins >= 2 ? (uint64_t)(bins - 2) / 2 : 0;
    Py_BEGIN_ALLOW_THREADS
    for (;;) {
        if (bins >= 2)
            count_fast(d, e, c, longest, &i, n);
        if (i >= n)
            break;
        /* A row past the fast range: a negative duration, or a key that may
         * still fit (the last bin of an odd-sized counts) or may not. */
        const int64_t v = d[i];
        if (v < 0) {
            needed = -1;
            break;
        }
        if (v > (INT64_MAX - 1) / 2) { /* no key: say it needs more than any */
            needed = INT64_MAX;
            break;
        }
        const int64_t key = 2 * v + (e != NULL ? (e[i] & 1) : 0);
        if (key >= bins) {
            needed = key;
            break;
        }
        c[key] += 1;
        i++;
    }
    Py_END_ALLOW_THREADS
    PyBuffer_Release(&dur);
    if (has_events)
        PyBuffer_Release(&ev);
    PyBuffer_Release(&counts);
    return Py_BuildValue("nL", i, (long long)needed);
}

static PyMethodDef methods[] = {
    {"count_pairs", count_pairs, METH_VARARGS,
     "count_pairs(durations, events, counts, start) -> (stop, needed)"},
    {NULL, NULL, 0, NULL},
};

static struct PyModuleDef module = {
    PyModuleDef_HEAD_INIT, "_counting", "Counting whole-number lifetimes.", -1, methods,
};

PyMODINIT_FUNC
PyInit__counting(void)
{
    return PyModule_Create(&module);
}
