/*
 * The summary of a collapsed speaker block: who it is and the role they held at the event,
 * “Anna Bērziņa — LSUA projektu vadītāja”.
 *
 * Wagtail's summary of a block is its first filled field (the person alone), and a label format naming two fields
 * prints an empty chooser as “null”. Here each part is shown only when it is filled.
 */
(() => {
  const streamField = window.wagtailStreamField;
  if (!streamField || !streamField.blocks || !streamField.blocks.StructBlockDefinition) {
    throw new Error("blocks/speaker-block.js: Wagtail's StructBlockDefinition is missing, speakers cannot be drawn");
  }

  const SEPARATOR = ' — ';

  const labelOf = (block, name) => {
    const child = block.childBlocks[name];
    const label = child && typeof child.getTextLabel === 'function' ? child.getTextLabel() : null;
    return label ? String(label).trim() : '';
  };

  class SpeakerBlockDefinition extends streamField.blocks.StructBlockDefinition {
    render(placeholder, prefix, initialState, initialError) {
      const block = super.render(placeholder, prefix, initialState, initialError);
      block.getTextLabel = (opts) => {
        const who = labelOf(block, 'person') || labelOf(block, 'description');
        const label = [who, labelOf(block, 'role')].filter(Boolean).join(SEPARATOR);
        if (!label) return null;
        const maxLength = opts && opts.maxLength;
        return maxLength && label.length > maxLength ? `${label.substring(0, maxLength - 1)}…` : label;
      };
      return block;
    }
  }

  window.telepath.register('blocks.people.SpeakerBlock', SpeakerBlockDefinition);
})();
