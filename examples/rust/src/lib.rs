//! daily-profile: an example forecast plugin in Rust, written from `forecast_plugin.h` alone.
//!
//! Build: `cargo build --release --offline` (no dependencies), then drop
//! `target/release/libdaily_profile.so` into a plugin directory.
//!
//! Model: the forecast for an hour of the day is the mean of that hour over the last
//! `days` days (default 28); the interval is the empirical quantile of the absolute
//! deviations from those means over the same days. Why this method: it is the simplest
//! forecaster that knows the daily cycle and adapts to the season, and its intervals
//! need no distributional assumption (and so no special functions in a crate without
//! dependencies). Conditioning slides the window over newer hours; the spread stays the
//! trained one. It declares no capabilities, so the host passes finite values only.

mod abi;

use abi::*;
use std::ffi::{c_char, c_void, CStr, CString};
use std::mem::{offset_of, size_of};
use std::panic::{catch_unwind, AssertUnwindSafe};

const MAGIC: &[u8; 4] = b"DPRF";
const FORMAT: u32 = 1;
const PERIOD: i64 = 24;
const DEFAULT_DAYS: i64 = 28;

/// A trained model: the window of recent values, the profile over it and the spread.
#[derive(Clone)]
struct Model {
    days: i64,
    step_seconds: i64,
    last_time: i64,
    window: Vec<f64>,     // the last days * PERIOD values, oldest first
    deviations: Vec<f64>, // absolute deviations from the profile, sorted
}

impl Model {
    /// The phase (hour of day for hourly data) of `time`.
    fn phase(&self, time: i64) -> usize {
        (time / self.step_seconds).rem_euclid(PERIOD) as usize
    }

    fn first_time(&self) -> i64 {
        self.last_time - (self.window.len() as i64 - 1) * self.step_seconds
    }

    /// The mean of each phase over the window.
    fn profile(&self) -> [f64; PERIOD as usize] {
        let mut sums = [0.0; PERIOD as usize];
        let mut counts = [0usize; PERIOD as usize];
        let first = self.first_time();
        for (i, v) in self.window.iter().enumerate() {
            let p = self.phase(first + i as i64 * self.step_seconds);
            sums[p] += v;
            counts[p] += 1;
        }
        let mut profile = [0.0; PERIOD as usize];
        for p in 0..PERIOD as usize {
            profile[p] = sums[p] / counts[p] as f64;
        }
        profile
    }

    fn encode(&self) -> Vec<u8> {
        let mut out = Vec::with_capacity(40 + 8 * (self.window.len() + self.deviations.len()));
        out.extend_from_slice(MAGIC);
        out.extend_from_slice(&FORMAT.to_le_bytes());
        for v in [self.days, self.step_seconds, self.last_time, self.window.len() as i64, self.deviations.len() as i64] {
            out.extend_from_slice(&v.to_le_bytes());
        }
        for v in self.window.iter().chain(self.deviations.iter()) {
            out.extend_from_slice(&v.to_le_bytes());
        }
        out
    }

    fn decode(bytes: &[u8]) -> Result<Model, String> {
        let int = |at: usize| -> Option<i64> { Some(i64::from_le_bytes(bytes.get(at..at + 8)?.try_into().ok()?)) };
        if bytes.len() < 48 || &bytes[0..4] != MAGIC {
            return Err(format!("not a daily-profile model ({} bytes)", bytes.len()));
        }
        let format = u32::from_le_bytes(bytes[4..8].try_into().unwrap());
        if format != FORMAT {
            return Err(format!("model format {format}; this plugin reads format {FORMAT}"));
        }
        let (days, step, last, n, k) = (int(8).unwrap(), int(16).unwrap(), int(24).unwrap(), int(32).unwrap(), int(40).unwrap());
        let sane = (1..=3660).contains(&days) && (1..=FP_MAX_STEP_SECONDS).contains(&step) && (FP_MIN_TIME..=FP_MAX_TIME).contains(&last)
            && n >= PERIOD && n <= days * PERIOD && k >= 1 && k <= n
            && bytes.len() as i64 == 48 + 8 * (n + k);
        if !sane {
            return Err("the model's header is inconsistent (truncated or corrupt)".into());
        }
        let value = |i: usize| f64::from_le_bytes(bytes[48 + 8 * i..56 + 8 * i].try_into().unwrap());
        let window: Vec<f64> = (0..n as usize).map(value).collect();
        let deviations: Vec<f64> = (n as usize..(n + k) as usize).map(value).collect();
        if window.iter().chain(deviations.iter()).any(|v| !v.is_finite()) || deviations.windows(2).any(|w| w[0] > w[1]) {
            return Err("the model holds non-finite or unsorted values (corrupt)".into());
        }
        Ok(Model { days, step_seconds: step, last_time: last, window, deviations })
    }
}

// ---- helpers: error text, host services, buffers ------------------------------------

/// Writes `message` NUL-terminated into the caller's buffer, truncated on a character boundary.
unsafe fn write_error(err: *mut c_char, capacity: usize, message: &str) {
    if err.is_null() || capacity == 0 {
        return;
    }
    let mut length = message.len().min(capacity - 1);
    while !message.is_char_boundary(length) {
        length -= 1;
    }
    std::ptr::copy_nonoverlapping(message.as_ptr() as *const c_char, err, length);
    *err.add(length) = 0;
}

/// The host's services, each used only when the host's struct covers it (FP_STRUCT_COVERS).
struct Host(*const FpHost);

impl Host {
    fn log(&self, level: i32, message: &str) {
        unsafe {
            if self.0.is_null() || !host_covers(&*(self.0 as *const FpHost), offset_of!(FpHost, log) + size_of::<usize>()) {
                return;
            }
            if let (Some(log), Ok(text)) = (std::ptr::addr_of!((*self.0).log).read(), CString::new(message)) {
                log((*self.0).context, level, text.as_ptr());
            }
        }
    }

    fn progress(&self, fraction: f64) {
        unsafe {
            if self.0.is_null() || !host_covers(&*(self.0 as *const FpHost), offset_of!(FpHost, progress) + size_of::<usize>()) {
                return;
            }
            if let Some(progress) = std::ptr::addr_of!((*self.0).progress).read() {
                progress((*self.0).context, fraction, c"daily profile".as_ptr());
            }
        }
    }
}

// `release_buffer` gets no size, but Rust's allocator needs one: every buffer handed to the
// host starts 16 bytes early, with its total size in front.
const PREFIX: usize = 16;

fn into_host_buffer(bytes: &[u8]) -> *mut u8 {
    let total = bytes.len() + PREFIX;
    let layout = std::alloc::Layout::from_size_align(total, PREFIX).unwrap();
    unsafe {
        let base = std::alloc::alloc(layout);
        if base.is_null() {
            return base;
        }
        (base as *mut usize).write(total);
        std::ptr::copy_nonoverlapping(bytes.as_ptr(), base.add(PREFIX), bytes.len());
        base.add(PREFIX)
    }
}

unsafe extern "C" fn release_buffer(buffer: *mut c_void) {
    if buffer.is_null() {
        return;
    }
    let base = (buffer as *mut u8).sub(PREFIX);
    let total = (base as *const usize).read();
    std::alloc::dealloc(base, std::alloc::Layout::from_size_align(total, PREFIX).unwrap());
}

/// Runs `body`, turning an error into its status and message and a panic into INTERNAL:
/// nothing may unwind into the host.
unsafe fn guarded(err: *mut c_char, capacity: usize, body: impl FnOnce() -> Result<(), (i32, String)>) -> i32 {
    match catch_unwind(AssertUnwindSafe(body)) {
        Ok(Ok(())) => FP_STATUS_OK,
        Ok(Err((status, message))) => {
            write_error(err, capacity, &message);
            status
        }
        Err(_) => {
            write_error(err, capacity, "the plugin panicked");
            FP_STATUS_INTERNAL
        }
    }
}

/// The values of a series, checked: sane time and step, every value finite.
unsafe fn series_values<'a>(series: *const FpSeries) -> Result<(&'a [f64], i64, i64), (i32, String)> {
    let s = series.as_ref().ok_or((FP_STATUS_INVALID_ARGUMENT, "NULL series".to_string()))?;
    if !(1..=FP_MAX_STEP_SECONDS).contains(&s.step_seconds) || !(FP_MIN_TIME..=FP_MAX_TIME).contains(&s.start_time) {
        return Err((FP_STATUS_INVALID_ARGUMENT, format!("step {} s or start time {} out of range", s.step_seconds, s.start_time)));
    }
    if s.count > 0 && s.values.is_null() {
        return Err((FP_STATUS_INVALID_ARGUMENT, format!("{} values but a NULL pointer", s.count)));
    }
    let values = if s.count == 0 { &[][..] } else { std::slice::from_raw_parts(s.values, s.count) };
    if let Some(i) = values.iter().position(|v| !v.is_finite()) {
        return Err((FP_STATUS_INVALID_DATA, format!("observation {i} of {} is {}; every value must be finite", values.len(), values[i])));
    }
    Ok((values, s.start_time, s.step_seconds))
}

/// Parses "", "{}" or {"days": N}.
fn parse_days(options: &str) -> Result<i64, String> {
    let text: String = options.chars().filter(|c| !c.is_whitespace()).collect();
    if text.is_empty() || text == "{}" {
        return Ok(DEFAULT_DAYS);
    }
    let value = text
        .strip_prefix("{\"days\":")
        .and_then(|rest| rest.strip_suffix('}'))
        .ok_or_else(|| format!("options must be {{}} or {{\"days\": N}}; got {options}"))?;
    match value.parse::<i64>() {
        Ok(days) if (2..=3660).contains(&days) => Ok(days),
        _ => Err(format!("option 'days' must be a whole number from 2 to 3660; got {value}")),
    }
}

// ---- entry points ----------------------------------------------------------------------

unsafe extern "C" fn train(host: *const FpHost, series: *const FpSeries, options: *const c_char, out: *mut FpTrained,
                           err: *mut c_char, capacity: usize) -> i32 {
    let host = Host(host);
    let status = guarded(err, capacity, || {
        let out = out.as_mut().ok_or((FP_STATUS_INVALID_ARGUMENT, "NULL output struct".to_string()))?;
        let options = if options.is_null() { "" } else { CStr::from_ptr(options).to_str().unwrap_or("?") };
        let days = parse_days(options).map_err(|m| (FP_STATUS_INVALID_ARGUMENT, m))?;
        let (values, start, step) = series_values(series)?;
        if values.len() < 2 * PERIOD as usize {
            return Err((FP_STATUS_INSUFFICIENT_DATA, format!("a daily profile needs at least two days ({} values); got {}", 2 * PERIOD, values.len())));
        }
        let keep = values.len().min((days * PERIOD) as usize);
        let last_time = start + (values.len() as i64 - 1) * step;
        let mut model = Model { days, step_seconds: step, last_time, window: values[values.len() - keep..].to_vec(), deviations: vec![] };
        host.progress(0.5);
        let profile = model.profile();
        let first = model.first_time();
        let mut deviations: Vec<f64> =
            model.window.iter().enumerate().map(|(i, v)| (v - profile[model.phase(first + i as i64 * step)]).abs()).collect();
        deviations.sort_by(|a, b| a.partial_cmp(b).unwrap());
        model.deviations = deviations;
        let blob = model.encode();
        let summary = format!("{{\"days\": {days}, \"window\": {keep}, \"medianDeviation\": {}}}", model.deviations[keep / 2]);
        let blob_pointer = into_host_buffer(&blob);
        let mut summary_bytes = summary.into_bytes();
        summary_bytes.push(0);
        let summary_pointer = into_host_buffer(&summary_bytes);
        if blob_pointer.is_null() || summary_pointer.is_null() {
            release_buffer(blob_pointer as *mut c_void);
            release_buffer(summary_pointer as *mut c_void);
            return Err((FP_STATUS_OUT_OF_MEMORY, "no memory for the model".into()));
        }
        *out = FpTrained { blob: blob_pointer, blob_size: blob.len(), summary_json: summary_pointer as *mut c_char };
        host.log(FP_LOG_INFO, &format!("daily-profile: {days} days, {keep} hours in the window"));
        host.progress(1.0);
        Ok(())
    });
    if status != FP_STATUS_OK {
        host.log(FP_LOG_DEBUG, &format!("daily-profile: train returns {}", status_name(status)));
    }
    status
}

unsafe extern "C" fn load(blob: *const u8, size: usize, out: *mut *mut FpModel, err: *mut c_char, capacity: usize) -> i32 {
    guarded(err, capacity, || {
        if out.is_null() {
            return Err((FP_STATUS_INVALID_ARGUMENT, "NULL output pointer".into()));
        }
        let bytes = if blob.is_null() || size == 0 { &[][..] } else { std::slice::from_raw_parts(blob, size) };
        let model = Model::decode(bytes).map_err(|m| (FP_STATUS_BAD_MODEL, m))?;
        *out = Box::into_raw(Box::new(model)) as *mut FpModel;
        Ok(())
    })
}

unsafe extern "C" fn forecast(model: *const FpModel, horizon: i32, level: f64, mean: *mut f64, lower: *mut f64, upper: *mut f64,
                              err: *mut c_char, capacity: usize) -> i32 {
    guarded(err, capacity, || {
        let model = (model as *const Model).as_ref().ok_or((FP_STATUS_INVALID_ARGUMENT, "NULL model".to_string()))?;
        if mean.is_null() || lower.is_null() || upper.is_null() {
            return Err((FP_STATUS_INVALID_ARGUMENT, "NULL output arrays".into()));
        }
        if horizon < 1 {
            return Err((FP_STATUS_INVALID_ARGUMENT, format!("the horizon must be at least 1; got {horizon}")));
        }
        if !(level > 0.0 && level < 1.0) {
            return Err((FP_STATUS_INVALID_ARGUMENT, format!("the level must lie in (0, 1); got {level}")));
        }
        let profile = model.profile();
        let k = model.deviations.len();
        let half = model.deviations[((level * k as f64).ceil() as usize).clamp(1, k) - 1];
        for h in 0..horizon as usize {
            let point = profile[model.phase(model.last_time + (h as i64 + 1) * model.step_seconds)];
            *mean.add(h) = point;
            *lower.add(h) = point - half;
            *upper.add(h) = point + half;
        }
        Ok(())
    })
}

unsafe extern "C" fn condition(model: *const FpModel, newer: *const FpSeries, out: *mut *mut FpModel, err: *mut c_char,
                               capacity: usize) -> i32 {
    guarded(err, capacity, || {
        let model = (model as *const Model).as_ref().ok_or((FP_STATUS_INVALID_ARGUMENT, "NULL model".to_string()))?;
        if out.is_null() {
            return Err((FP_STATUS_INVALID_ARGUMENT, "NULL output pointer".into()));
        }
        let (values, start, step) = series_values(newer)?;
        if step != model.step_seconds || start != model.last_time + model.step_seconds {
            return Err((FP_STATUS_INVALID_ARGUMENT,
                        format!("the new values must start at {} with a step of {} s; they start at {start} with {step} s",
                                model.last_time + model.step_seconds, model.step_seconds)));
        }
        let mut next = model.clone();
        next.window.extend_from_slice(values);
        let keep = next.window.len().min((model.days * PERIOD) as usize);
        next.window.drain(..next.window.len() - keep);
        next.last_time = model.last_time + values.len() as i64 * step;
        *out = Box::into_raw(Box::new(next)) as *mut FpModel;
        Ok(())
    })
}

unsafe extern "C" fn release_model(model: *mut FpModel) {
    if !model.is_null() {
        drop(Box::from_raw(model as *mut Model));
    }
}

static DESCRIPTOR: SyncDescriptor = SyncDescriptor(FpPluginDescriptor {
    abi_version: FP_ABI_VERSION,
    struct_size: size_of::<FpPluginDescriptor>() as u32,
    name: c"daily-profile".as_ptr(),
    version: c"1.0.0".as_ptr(),
    description: c"Mean daily profile of the last weeks (example plugin in Rust), empirical intervals".as_ptr(),
    train: Some(train),
    load: Some(load),
    forecast: Some(forecast),
    release_model: Some(release_model),
    release_buffer: Some(release_buffer),
    condition: Some(condition),
    get_extension: None,
    default_options_json: c"{\"days\": 28}".as_ptr(),
    capabilities: 0,
});

/// The one symbol the host looks up.
#[no_mangle]
pub extern "C" fn forecast_plugin_entry() -> *const FpPluginDescriptor {
    &DESCRIPTOR.0
}
