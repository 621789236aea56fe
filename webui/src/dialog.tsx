/** A modal confirmation (the native <dialog>: focus moves into it, Escape cancels). */
import { useEffect, useRef } from 'preact/hooks';

export interface ConfirmRequest {
  title: string;
  message: string;
  /** The confirm button's label, e.g. "Release". */
  action: string;
  danger: boolean;
  run: () => Promise<void>;
}

export function ConfirmDialog(props: { request: ConfirmRequest | null; onClose: () => void }) {
  const ref = useRef<HTMLDialogElement>(null);
  const { request, onClose } = props;
  useEffect(() => {
    const d = ref.current;
    if (d === null) return;
    if (request !== null && !d.open) d.showModal();
    if (request === null && d.open) d.close();
  }, [request]);
  const confirm = async (): Promise<void> => {
    const r = request;
    onClose();
    if (r !== null) await r.run();
  };
  return (
    <dialog ref={ref} class="confirm" aria-labelledby="confirm-title" onClose={onClose} onCancel={onClose}>
      <h2 id="confirm-title">{request?.title ?? ''}</h2>
      <p>{request?.message ?? ''}</p>
      <div class="row end">
        <button type="button" autofocus onClick={onClose}>Cancel</button>
        <button type="button" class={request?.danger === true ? 'danger' : 'primary'} onClick={() => { void confirm(); }}>
          {request?.action ?? 'OK'}
        </button>
      </div>
    </dialog>
  );
}
