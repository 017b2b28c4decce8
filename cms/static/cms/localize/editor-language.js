/*
 * wagtail-localize's translation editor, in the admin's language where its script writes English.
 *
 * Two of its texts are not in any catalogue: the heading “Latviešu to English translation” is written in its
 * script, and the note under each translated string (“Translated manually on 7 December 2026”) is translated,
 * but its date is formatted on the server with English month names. Here, inside the editor only:
 * - that heading reads as the admin's catalogue says (data-heading, its %(source)s and %(target)s filled in);
 * - in those notes, and nowhere else (the strings being translated are never touched), the date reads as the
 *   admin writes dates (data-date-format, strftime's %d, %m and %Y).
 */
(() => {
  // Read now: it is only known while the script first runs (the admin's scripts run before the page's body).
  const script = document.currentScript;

  const start = () => {
    const editor = document.querySelector('.js-translation-editor');
    if (!editor) return;

    const props = JSON.parse(editor.dataset.props || '{}');
    const source = props.sourceLocale && props.sourceLocale.displayName;
    const target = props.locale && props.locale.displayName;
    if (!source || !target) {
      throw new Error('cms/localize/editor-language.js: the translation editor no longer names its languages');
    }
    const upstreamHeading = `${source} to ${target} translation`;
    const heading = script.dataset.heading.replace('%(source)s', source).replace('%(target)s', target);

    const MONTHS = ['January', 'February', 'March', 'April', 'May', 'June', 'July', 'August', 'September',
      'October', 'November', 'December'];
    const DATE = `(\\d{1,2}) (${MONTHS.join('|')}) (\\d{4})`;
    const escape = (text) => text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
    // The notes as the catalogue translates them, their {date} (and {tool_name}) as patterns.
    const notes = JSON.parse(script.dataset.notes).map(
      (note) => new RegExp(`^${escape(note).replace('\\{date\\}', DATE).replace('\\{tool_name\\}', '.+?')}$`),
    );
    const pad = (number) => String(number).padStart(2, '0');
    const formatDate = (day, month, year) => script.dataset.dateFormat
      .replace('%d', pad(day)).replace('%m', pad(MONTHS.indexOf(month) + 1)).replace('%Y', year);

    const rewrite = () => {
      editor.querySelectorAll('h3').forEach((element) => {
        // The text node is changed, not replaced: it stays the one its script knows.
        const node = element.firstChild;
        if (node && node.nodeType === Node.TEXT_NODE && node.data === upstreamHeading) node.data = heading;
      });
      // A note is the text of a list item of its own, followed by its icon.
      editor.querySelectorAll('li').forEach((item) => {
        item.childNodes.forEach((node) => {
          if (node.nodeType !== Node.TEXT_NODE) return;
          const text = node.data.trim();
          if (!notes.some((note) => note.test(text))) return;
          const rewritten = text.replace(new RegExp(DATE), (_match, day, month, year) => formatDate(day, month, year));
          if (rewritten !== text) node.data = rewritten;
        });
      });
    };

    let scheduled = false;
    new MutationObserver(() => {
      if (scheduled) return;
      scheduled = true;
      requestAnimationFrame(() => {
        scheduled = false;
        rewrite();
      });
    }).observe(editor, { childList: true, subtree: true, characterData: true });
    rewrite();
  };

  if (document.readyState === 'loading') document.addEventListener('DOMContentLoaded', start);
  else start();
})();
