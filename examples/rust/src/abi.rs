//! The C types of `forecast_plugin.h` (ABI 1.1), written out by hand as `#[repr(C)]`.
//!
//! Keep them in the header's order: the host reads them by offset. Every constant is the
//! header's literal, and `status_name` re-implements the header's `fp_status_name`.

use std::ffi::{c_char, c_void};

pub const FP_ABI_VERSION: u32 = 0x0001_0001;

pub const FP_STATUS_OK: i32 = 0;
pub const FP_STATUS_INVALID_ARGUMENT: i32 = 1;
pub const FP_STATUS_INSUFFICIENT_DATA: i32 = 2;
pub const FP_STATUS_INVALID_DATA: i32 = 3;
pub const FP_STATUS_NUMERICAL: i32 = 4;
pub const FP_STATUS_CANCELLED: i32 = 5;
pub const FP_STATUS_BAD_MODEL: i32 = 6;
pub const FP_STATUS_OUT_OF_MEMORY: i32 = 7;
pub const FP_STATUS_UNSUPPORTED: i32 = 8;
pub const FP_STATUS_INTERNAL: i32 = 9;

pub const FP_LOG_DEBUG: i32 = 0;
pub const FP_LOG_INFO: i32 = 1;

pub const FP_MIN_TIME: i64 = -62_135_596_800;
pub const FP_MAX_TIME: i64 = 253_402_300_799;
pub const FP_MAX_STEP_SECONDS: i64 = 31_622_400;

/// The header's `fp_status_name`.
pub fn status_name(status: i32) -> &'static str {
    match status {
        FP_STATUS_OK => "ok",
        FP_STATUS_INVALID_ARGUMENT => "invalid argument",
        FP_STATUS_INSUFFICIENT_DATA => "insufficient data",
        FP_STATUS_INVALID_DATA => "invalid data",
        FP_STATUS_NUMERICAL => "numerical failure",
        FP_STATUS_CANCELLED => "cancelled",
        FP_STATUS_BAD_MODEL => "bad model",
        FP_STATUS_OUT_OF_MEMORY => "out of memory",
        FP_STATUS_UNSUPPORTED => "unsupported",
        FP_STATUS_INTERNAL => "internal error",
        _ => "unknown status",
    }
}

#[repr(C)]
pub struct FpHost {
    pub struct_size: u32,
    pub abi_version: u32,
    pub context: *mut c_void,
    pub log: Option<unsafe extern "C" fn(*mut c_void, i32, *const c_char)>,
    pub progress: Option<unsafe extern "C" fn(*mut c_void, f64, *const c_char)>,
    pub is_cancelled: Option<unsafe extern "C" fn(*mut c_void) -> i32>,
}

#[repr(C)]
pub struct FpSeries {
    pub values: *const f64,
    pub count: usize,
    pub start_time: i64,
    pub step_seconds: i64,
}

#[repr(C)]
pub struct FpTrained {
    pub blob: *mut u8,
    pub blob_size: usize,
    pub summary_json: *mut c_char,
}

/// `fp_model` is opaque to the host: any pointer the plugin likes.
pub type FpModel = c_void;

pub type TrainFn = unsafe extern "C" fn(*const FpHost, *const FpSeries, *const c_char, *mut FpTrained, *mut c_char, usize) -> i32;
pub type LoadFn = unsafe extern "C" fn(*const u8, usize, *mut *mut FpModel, *mut c_char, usize) -> i32;
pub type ForecastFn = unsafe extern "C" fn(*const FpModel, i32, f64, *mut f64, *mut f64, *mut f64, *mut c_char, usize) -> i32;
pub type ReleaseModelFn = unsafe extern "C" fn(*mut FpModel);
pub type ReleaseBufferFn = unsafe extern "C" fn(*mut c_void);
pub type ConditionFn = unsafe extern "C" fn(*const FpModel, *const FpSeries, *mut *mut FpModel, *mut c_char, usize) -> i32;
pub type GetExtensionFn = unsafe extern "C" fn(*const c_char) -> *const c_void;

#[repr(C)]
pub struct FpPluginDescriptor {
    pub abi_version: u32,
    pub struct_size: u32,
    pub name: *const c_char,
    pub version: *const c_char,
    pub description: *const c_char,
    pub train: Option<TrainFn>,
    pub load: Option<LoadFn>,
    pub forecast: Option<ForecastFn>,
    pub release_model: Option<ReleaseModelFn>,
    pub release_buffer: Option<ReleaseBufferFn>,
    pub condition: Option<ConditionFn>,
    pub get_extension: Option<GetExtensionFn>,
    pub default_options_json: *const c_char,
    // Since 1.1.
    pub capabilities: u64,
}

/// The descriptor is immutable static data; the raw pointers in it name static strings.
pub struct SyncDescriptor(pub FpPluginDescriptor);
unsafe impl Sync for SyncDescriptor {}

/// The header's FP_STRUCT_COVERS for `fp_host`: does the host's struct reach `end` bytes?
pub fn host_covers(host: &FpHost, end: usize) -> bool {
    host.struct_size as usize >= end
}
