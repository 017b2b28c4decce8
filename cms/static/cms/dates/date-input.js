/*
 * The admin's date pickers keep what an editor types (cms.admin_dates).
 *
 * Wagtail's picker (jQuery DateTimePicker, wagtailadmin/js/vendor/jquery.datetimepicker.js) checks the text
 * when the field loses focus ("validateOnBlur"): text it cannot read in its format becomes the current date and
 * time, and text it can read is rewritten through JavaScript's Date, so "31.02.2026" becomes "03.03.2026". Either
 * way the form then saves a date the editor never wrote. Turned off here for every picker (page fields, inline
 * panels, snippets, StreamField blocks, the schedule dialog): the picker's defaults are read when a field's
 * picker is set up, and this script runs before any (insert_global_admin_js comes right after the picker).
 * The text then reaches the form as typed, and the form refuses what it cannot read, with an error that says
 * how to write the date.
 *
 * A date the form will read (cms/formats/day_first.py) is rewritten in the picker's own format when the picker
 * closes, so that the editor sees how it is understood ("15.03.26" is 15.03.2026) and the calendar opens on it.
 * Only a real calendar day is rewritten; anything else stays exactly as typed. A time on its own is left
 * alone: the form reads "14.30" as 14:30, and in a date field the same text is no date at all.
 */
(function () {
  "use strict";

  const script = document.currentScript;
  const $ = window.jQuery;
  if (!$ || !$.fn.datetimepicker || !$.fn.datetimepicker.defaults || typeof window.DateFormatter !== "function") {
    // Without the picker's defaults the fields would go back to replacing typed dates with today's: say so.
    throw new Error(
      "cms/dates/date-input.js: Wagtail's date picker (jquery.datetimepicker.js) is not loaded before this " +
        "script; typed dates would be replaced with today's date.",
    );
  }
  const defaults = $.fn.datetimepicker.defaults;
  if (!("validateOnBlur" in defaults)) {
    throw new Error("cms/dates/date-input.js: the date picker has no validateOnBlur option any more; check it.");
  }
  const dateFormat = script.dataset.dateFormat;
  const dateTimeFormat = script.dataset.datetimeFormat;
  const formatter = new window.DateFormatter();

  // What cms/formats/day_first.py reads: 15.03.2026, 15.3.2026, 15.03.2026., 15.03.26, 15/03/2026,
  // 2026-03-15, each optionally followed by a time 14:30 or 14.30 (seconds are left to the form).
  const DAY_FIRST = /^(\d{1,2})\.(\d{1,2})\.(\d{4}|\d{2})\.?$|^(\d{1,2})\/(\d{1,2})\/(\d{4})$/;
  const ISO = /^(\d{4})-(\d{1,2})-(\d{1,2})$/;
  const TIME = /^(\d{1,2})[:.](\d{2})$/;

  function fullYear(digits) {
    const year = parseInt(digits, 10);
    // Two digits as Python's strptime reads them (the form decides): 00-68 are 2000-2068, 69-99 1969-1999.
    if (digits.length === 2) return year < 69 ? 2000 + year : 1900 + year;
    return year;
  }

  function readDate(text) {
    let day;
    let month;
    let year;
    let match = DAY_FIRST.exec(text);
    if (match) {
      const parts = match[1] !== undefined ? match.slice(1, 4) : match.slice(4, 7);
      [day, month, year] = [parseInt(parts[0], 10), parseInt(parts[1], 10), fullYear(parts[2])];
    } else if ((match = ISO.exec(text))) {
      [year, month, day] = [parseInt(match[1], 10), parseInt(match[2], 10), parseInt(match[3], 10)];
    } else {
      return null;
    }
    // setFullYear, not new Date(year, ...), which reads years 0-99 as 1900-1999. Date rolls 31 February over
    // into March: only a day that exists is a date.
    const date = new Date(2000, 0, 1);
    date.setFullYear(year, month - 1, day);
    if (date.getFullYear() !== year || date.getMonth() !== month - 1 || date.getDate() !== day) return null;
    return date;
  }

  function readTime(text, date) {
    const match = TIME.exec(text);
    if (!match) return false;
    const [hours, minutes] = [parseInt(match[1], 10), parseInt(match[2], 10)];
    if (hours > 23 || minutes > 59) return false;
    date.setHours(hours, minutes, 0, 0);
    return true;
  }

  function normalised(text) {
    const [datePart, timePart, ...rest] = text.trim().split(/\s+/);
    if (!datePart || rest.length) return null;
    const date = readDate(datePart);
    if (!date) return null;
    if (timePart === undefined) return formatter.formatDate(date, dateFormat);
    return readTime(timePart, date) ? formatter.formatDate(date, dateTimeFormat) : null;
  }

  const otherOnClose = defaults.onClose;
  defaults.validateOnBlur = false;
  // Called by the picker when it closes, which it does whenever its field loses focus (and on Tab and Enter).
  defaults.onClose = function (currentTime, $input, event) {
    const input = $input && $input[0];
    if (input && input.value) {
      const value = normalised(input.value);
      if (value !== null && value !== input.value) {
        input.value = value;
        // As if typed: Wagtail's unsaved-changes tracking and StreamField's block summaries listen for it.
        input.dispatchEvent(new Event("change", { bubbles: true }));
      }
    }
    return otherOnClose ? otherOnClose.call(this, currentTime, $input, event) : true;
  };
})();
