<?xml version="1.0" encoding="utf-8"?>
<!DOCTYPE TS>
<TS version="2.1" language="zh_CN" sourcelanguage="en">
<context>
    <name>ActionBar</name>
    <message>
        <source>Fill in the middle (Ctrl+Enter)</source>
        <translation>中间填充 (Ctrl+Enter)</translation>
    </message>
    <message>
        <source>Accept (Tab)</source>
        <translation>接受 (Tab)</translation>
    </message>
    <message>
        <source>Reject (Esc)</source>
        <translation>拒绝 (Esc)</translation>
    </message>
    <message>
        <source>Regenerate (Ctrl+R)</source>
        <translation>重新生成 (Ctrl+R)</translation>
    </message>
    <message>
        <source>Copy</source>
        <translation>复制</translation>
    </message>
    <message>
        <source>Apply (Ctrl+Shift+Enter)</source>
        <translation>应用 (Ctrl+Shift+Enter)</translation>
    </message>
    <message>
        <source>Discard (Esc)</source>
        <translation>放弃 (Esc)</translation>
    </message>
</context>
<context>
    <name>EditorDocument</name>
    <message>
        <source>Opening {name}…</source>
        <translation>正在打开 {name}…</translation>
    </message>
    <message numerus="yes">
        <source>Opened {path} ({count} lines).</source>
        <translation>
            <numerusform>已打开 {path}（{count} 行）。</numerusform>
        </translation>
    </message>
    <message>
        <source>The clipboard holds no text.</source>
        <translation>剪贴板中没有文本。</translation>
    </message>
    <message>
        <source>Accept or reject the suggestion first.</source>
        <translation>请先接受或拒绝建议。</translation>
    </message>
    <message>
        <source>Saved {path}.</source>
        <translation>已保存 {path}。</translation>
    </message>
    <message>
        <source>Highlighting is off for this very large file (editing and infill still work).</source>
        <translation>此文件太大，已关闭语法高亮（编辑和填充仍可使用）。</translation>
    </message>
</context>
<context>
    <name>FileBar</name>
    <message>
        <source>Open…</source>
        <translation>打开…</translation>
    </message>
    <message>
        <source>Paste snippet</source>
        <translation>粘贴代码片段</translation>
    </message>
    <message>
        <source>Replace the editor&apos;s text with the clipboard&apos;s (undo brings it back)</source>
        <translation>用剪贴板的内容替换编辑器中的文本（撤销可恢复）</translation>
    </message>
    <message>
        <source>Save</source>
        <translation>保存</translation>
    </message>
    <message>
        <source>Save as…</source>
        <translation>另存为…</translation>
    </message>
    <message>
        <source>Untitled</source>
        <translation>未命名</translation>
    </message>
    <message>
        <source>Language:</source>
        <translation>语言：</translation>
    </message>
</context>
<context>
    <name>FillOptions</name>
    <message>
        <source>Multi-line</source>
        <translation>多行</translation>
    </message>
    <message>
        <source>Single line</source>
        <translation>单行</translation>
    </message>
    <message>
        <source>Suffix first</source>
        <translation>后缀优先</translation>
    </message>
    <message>
        <source>Code Llama&apos;s suffix-prefix-middle order (SPM); it was trained on both</source>
        <translation>Code Llama 的“后缀-前缀-中间”顺序 (SPM)；两种顺序它都训练过</translation>
    </message>
    <message>
        <source>Most tokens of middle</source>
        <translation>中间部分最多的词元数</translation>
    </message>
    <message>
        <source>Sampling temperature (0 = always the most likely code)</source>
        <translation>采样温度（0 = 总是选最可能的代码）</translation>
    </message>
    <message>
        <source>Max tokens:</source>
        <translation>最大词元数：</translation>
    </message>
    <message>
        <source>Temperature:</source>
        <translation>温度：</translation>
    </message>
</context>
<context>
    <name>InfillFiles</name>
    <message>
        <source>Open a code file</source>
        <translation>打开代码文件</translation>
    </message>
    <message>
        <source>Save code as</source>
        <translation>代码另存为</translation>
    </message>
    <message>
        <source>The clipboard</source>
        <translation>剪贴板</translation>
    </message>
</context>
<context>
    <name>InfillHints</name>
    <message>
        <source>Tab accepts · Esc rejects · Ctrl+R regenerates · Copy puts it on the clipboard</source>
        <translation>Tab 接受 · Esc 拒绝 · Ctrl+R 重新生成 · “复制”放到剪贴板</translation>
    </message>
    <message>
        <source>Ctrl+Shift+Enter applies · Esc discards · Ctrl+R regenerates · Copy puts it on the clipboard</source>
        <translation>Ctrl+Shift+Enter 应用 · Esc 放弃 · Ctrl+R 重新生成 · “复制”放到剪贴板</translation>
    </message>
    <message>
        <source>Generating… Esc stops and rejects.</source>
        <translation>正在生成… Esc 停止并拒绝。</translation>
    </message>
    <message>
        <source>Writing the middle; it is shown as a change to review when complete. Esc stops.</source>
        <translation>正在编写中间部分；完成后以改动的形式显示，供你审阅。Esc 停止。</translation>
    </message>
    <message>
        <source>the context</source>
        <translation>上下文</translation>
    </message>
    <message>
        <source>{progress} (Esc stops)</source>
        <translation>{progress}（Esc 停止）</translation>
    </message>
</context>
<context>
    <name>InfillPane</name>
    <message>
        <source>instruction fill</source>
        <translation>指令式填充</translation>
    </message>
    <message>
        <source>&lt;b&gt;{headline}&lt;/b&gt; {detail} {advice} (Models, Ctrl+M).</source>
        <translation>&lt;b&gt;{headline}&lt;/b&gt;{detail}{advice}（“模型”窗口，Ctrl+M）。</translation>
    </message>
    <message>
        <source>Loading {name}…</source>
        <translation>正在加载 {name}…</translation>
    </message>
    <message>
        <source>Open or paste code, put the cursor where code is missing (or select code to replace) and press Ctrl+Enter.</source>
        <translation>打开或粘贴代码，把光标放在缺少代码的位置（或选中要替换的代码），然后按 Ctrl+Enter。</translation>
    </message>
    <message numerus="yes">
        <source>With %n snippet(s) from the open repository: {paths}</source>
        <translation>
            <numerusform>使用了打开的仓库中的 %n 个代码片段：{paths}</numerusform>
        </translation>
    </message>
    <message>
        <source>The model found nothing to fill in here.</source>
        <translation>模型认为这里没有需要填充的内容。</translation>
    </message>
    <message>
        <source>Stopped.</source>
        <translation>已停止。</translation>
    </message>
    <message numerus="yes">
        <source>Suggested %n tokens; Tab accepts, Esc rejects.</source>
        <translation>
            <numerusform>建议了 %n 个词元；Tab 接受，Esc 拒绝。</numerusform>
        </translation>
    </message>
    <message numerus="yes">
        <source>Suggested {summary} (%n tokens); Ctrl+Shift+Enter applies, Esc discards.</source>
        <translation>
            <numerusform>建议的改动：{summary}（%n 个词元）；Ctrl+Shift+Enter 应用，Esc 放弃。</numerusform>
        </translation>
    </message>
    <message>
        <source>Applied as one step (Ctrl+Z takes it back).</source>
        <translation>已作为一步应用（Ctrl+Z 可撤销）。</translation>
    </message>
    <message>
        <source>Accepted (Ctrl+Z takes it back).</source>
        <translation>已接受（Ctrl+Z 可撤销）。</translation>
    </message>
    <message>
        <source>Suggestion copied.</source>
        <translation>建议已复制。</translation>
    </message>
</context>
<context>
    <name>LanguageBox</name>
    <message>
        <source>Auto</source>
        <translation>自动</translation>
    </message>
</context>
<context>
    <name>PreviewPanel</name>
    <message>
        <source>The instruction fill would change the file by {summary}. Review it: Apply (Ctrl+Shift+Enter) puts it in as one undo step, Discard (Esc) leaves the file as it is.</source>
        <translation>指令式填充会这样改动文件：{summary}。请审阅：“应用”(Ctrl+Shift+Enter) 将其作为一个可撤销的步骤放入，“放弃”(Esc) 保持文件不变。</translation>
    </message>
</context>
</TS>
