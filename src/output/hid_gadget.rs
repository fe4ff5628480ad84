//! Registers eyeswitch as a USB boot keyboard through configfs (only on a board with an OTG port).

use std::path::PathBuf;

use usb_gadget::function::hid::Hid;
use usb_gadget::{default_udc, registered, Class, Config, Gadget, Id, RegGadget, Strings};

use crate::output::hid::REPORT_LEN;
use crate::output::OutputError;

/// HID subclass 1: boot interface, so BIOSes and iOS accept the keyboard without parsing.
const SUBCLASS_BOOT: u8 = 1;
/// HID protocol 1: keyboard.
const PROTOCOL_KEYBOARD: u8 = 1;
/// Linux Foundation "multifunction composite gadget" product ID, meant for development gadgets.
const PRODUCT_COMPOSITE: u16 = 0x0104;

/// The standard boot keyboard report descriptor (HID 1.11, appendix B.1): 8 modifier bits, a
/// reserved byte, 5 LED outputs and six key slots.
const BOOT_KEYBOARD_REPORT_DESC: &[u8] = &[
    0x05, 0x01, // Usage Page (Generic Desktop)
    0x09, 0x06, // Usage (Keyboard)
    0xA1, 0x01, // Collection (Application)
    0x05, 0x07, //   Usage Page (Key Codes)
    0x19, 0xE0, //   Usage Minimum (224)
    0x29, 0xE7, //   Usage Maximum (231)
    0x15, 0x00, //   Logical Minimum (0)
    0x25, 0x01, //   Logical Maximum (1)
    0x75, 0x01, //   Report Size (1)
    0x95, 0x08, //   Report Count (8)
    0x81, 0x02, //   Input (Data, Variable, Absolute): modifiers
    0x95, 0x01, //   Report Count (1)
    0x75, 0x08, //   Report Size (8)
    0x81, 0x01, //   Input (Constant): reserved byte
    0x95, 0x05, //   Report Count (5)
    0x75, 0x01, //   Report Size (1)
    0x05, 0x08, //   Usage Page (LEDs)
    0x19, 0x01, //   Usage Minimum (1)
    0x29, 0x05, //   Usage Maximum (5)
    0x91, 0x02, //   Output (Data, Variable, Absolute): LEDs
    0x95, 0x01, //   Report Count (1)
    0x75, 0x03, //   Report Size (3)
    0x91, 0x01, //   Output (Constant): LED padding
    0x95, 0x06, //   Report Count (6)
    0x75, 0x08, //   Report Size (8)
    0x15, 0x00, //   Logical Minimum (0)
    0x25, 0x65, //   Logical Maximum (101)
    0x05, 0x07, //   Usage Page (Key Codes)
    0x19, 0x00, //   Usage Minimum (0)
    0x29, 0x65, //   Usage Maximum (101)
    0x81, 0x00, //   Input (Data, Array): key slots
    0xC0, // End Collection
];

/// Advice shared by every gadget failure.
const GADGET_HINT: &str = "run as root on a board whose OTG port is in peripheral mode \
(Raspberry Pi: dtoverlay=dwc2,dr_mode=peripheral in config.txt) with configfs mounted and the \
libcomposite module available";

/// The gadget's directory name in configfs, so a later run finds (and replaces) its own.
pub const GADGET_NAME: &str = "eyeswitch";

/// A bound keyboard gadget; dropping it removes the gadget from configfs.
pub struct KeyboardGadget {
    hid: Hid,
    _registration: RegGadget,
}

impl KeyboardGadget {
    /// The report device the kernel created, normally `/dev/hidg0`.
    pub fn device_path(&self) -> Result<PathBuf, OutputError> {
        self.hid
            .device_path()
            .map_err(|source| OutputError::Gadget {
                step: "finding the /dev/hidgN device",
                source,
                hint: GADGET_HINT,
            })
    }

    /// Leaves the gadget bound after this process exits, so an unprivileged `run` can write
    /// to its report device. Returns that device.
    pub fn persist(mut self) -> Result<PathBuf, OutputError> {
        let path = self.device_path()?;
        self._registration.detach();
        Ok(path)
    }
}

/// Removes eyeswitch's gadget from configfs if one is registered; `true` if there was one.
pub fn remove_keyboard_gadget() -> Result<bool, OutputError> {
    let error = |step: &'static str| {
        move |source| OutputError::Gadget {
            step,
            source,
            hint: GADGET_HINT,
        }
    };
    let ours = registered()
        .map_err(error("listing the gadgets in configfs"))?
        .into_iter()
        .find(|g| g.name() == GADGET_NAME);
    match ours {
        Some(gadget) => {
            gadget
                .remove()
                .map_err(error("removing the eyeswitch gadget"))?;
            Ok(true)
        }
        None => Ok(false),
    }
}

/// Creates a boot keyboard gadget and binds it to the board's USB device controller.
pub fn bind_keyboard_gadget(serial_number: &str) -> Result<KeyboardGadget, OutputError> {
    let gadget_error = |step: &'static str| {
        move |source| OutputError::Gadget {
            step,
            source,
            hint: GADGET_HINT,
        }
    };
    let udc = default_udc().map_err(gadget_error("finding a USB device controller"))?;
    let mut builder = Hid::builder();
    builder.sub_class = SUBCLASS_BOOT;
    builder.protocol = PROTOCOL_KEYBOARD;
    builder.report_desc = BOOT_KEYBOARD_REPORT_DESC.to_vec();
    // REPORT_LEN is 8, which fits in a u8.
    builder.report_len = REPORT_LEN as u8;
    let (hid, handle) = builder.build();
    let mut gadget = Gadget::new(
        Class::INTERFACE_SPECIFIC,
        Id::new(Id::LINUX_FOUNDATION_VID, PRODUCT_COMPOSITE),
        Strings::new("eyeswitch", "eyeswitch assistive switch", serial_number),
    )
    .with_config(Config::new("keyboard").with_function(handle));
    gadget.name = Some(GADGET_NAME.into());
    let registration = gadget
        .bind(&udc)
        .map_err(gadget_error("registering the gadget in configfs"))?;
    Ok(KeyboardGadget {
        hid,
        _registration: registration,
    })
}
