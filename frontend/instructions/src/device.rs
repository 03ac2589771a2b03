//! `RUN --device=name[,required]` (CDI devices; labs channel).

use crate::csv::{self, CsvError};
use crate::suggest::suggest;

#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Device {
    /// CDI device name, e.g. `vendor.com/gpu=0`.
    pub name: String,
    pub required: bool,
}

#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum DeviceError {
    #[error("failed to parse csv devices: {0}")]
    Csv(#[from] CsvError),
    #[error("device name already set to {name}")]
    NameAlreadySet { name: String },
    #[error("invalid field '{field}' must be a key=value pair")]
    NotKeyValue { field: String },
    #[error("invalid value for required: {value}")]
    InvalidBool { value: String },
    #[error(
        "unexpected key '{key}' in '{field}'{}",
        crate::suggest::Hint(suggestion)
    )]
    UnknownKey {
        key: String,
        field: String,
        suggestion: Option<String>,
    },
}

impl Device {
    /// Parses one `--device` value. The first field that is not a known
    /// option is the device name (CDI names contain `=`).
    pub fn parse(value: &str) -> Result<Device, DeviceError> {
        let mut device = Device {
            name: String::new(),
            required: false,
        };
        for field in csv::fields(value)? {
            let Some((key, val)) = field.split_once('=') else {
                if field.eq_ignore_ascii_case("required") {
                    device.required = true;
                } else if device.name.is_empty() {
                    device.name = field.into_owned();
                } else {
                    return Err(DeviceError::NotKeyValue {
                        field: field.into_owned(),
                    });
                }
                continue;
            };
            match key.to_lowercase().as_str() {
                "name" => {
                    if !device.name.is_empty() {
                        return Err(DeviceError::NameAlreadySet { name: device.name });
                    }
                    device.name = val.to_string();
                }
                "required" => {
                    device.required = match val {
                        "1" | "t" | "T" | "true" | "TRUE" | "True" => true,
                        "0" | "f" | "F" | "false" | "FALSE" | "False" => false,
                        _ => {
                            return Err(DeviceError::InvalidBool {
                                value: val.to_string(),
                            });
                        }
                    };
                }
                other => {
                    if device.name.is_empty() {
                        device.name = field.into_owned();
                        continue;
                    }
                    return Err(DeviceError::UnknownKey {
                        key: other.to_string(),
                        suggestion: suggest(other, ["name", "required"], true),
                        field: field.into_owned(),
                    });
                }
            }
        }
        Ok(device)
    }
}
