<?xml version="1.0" encoding="utf-8"?>
<!DOCTYPE TS>
<TS version="2.1" language="zh_CN" sourcelanguage="en">
<context>
    <name>ActionBar</name>
    <message>
        <source>Tokens the conversation uses out of the model&apos;s context window</source>
        <translation>本对话已用的词元数 / 模型上下文窗口大小</translation>
    </message>
    <message>
        <source>Settings…</source>
        <translation>设置…</translation>
    </message>
    <message>
        <source>System prompt and sampling</source>
        <translation>系统提示词与采样</translation>
    </message>
    <message>
        <source>Export…</source>
        <translation>导出…</translation>
    </message>
    <message>
        <source>Save this conversation as Markdown (Ctrl+Shift+S)</source>
        <translation>将此对话保存为 Markdown（Ctrl+Shift+S）</translation>
    </message>
    <message>
        <source>Edit last</source>
        <translation>编辑上一条</translation>
    </message>
    <message>
        <source>Edit and resend your last message (Ctrl+E, or Up in an empty box)</source>
        <translation>编辑并重新发送你的上一条消息（Ctrl+E，或在空输入框中按 Up）</translation>
    </message>
    <message>
        <source>Regenerate</source>
        <translation>重新生成</translation>
    </message>
    <message>
        <source>Answer the last message again (Ctrl+R)</source>
        <translation>重新回答上一条消息（Ctrl+R）</translation>
    </message>
    <message>
        <source>Stop</source>
        <translation>停止</translation>
    </message>
    <message>
        <source>Stop the answer (Esc)</source>
        <translation>停止回答（Esc）</translation>
    </message>
    <message>
        <source>No model loaded</source>
        <translation>未加载模型</translation>
    </message>
    <message>
        <source>%v / %m tokens</source>
        <translation>%v / %m 词元</translation>
    </message>
</context>
<context>
    <name>ChatExport</name>
    <message>
        <source>Nothing to export yet.</source>
        <translation>还没有可导出的内容。</translation>
    </message>
    <message>
        <source>Export conversation</source>
        <translation>导出对话</translation>
    </message>
    <message>
        <source>Markdown (*.md)</source>
        <translation>Markdown (*.md)</translation>
    </message>
    <message>
        <source>Export failed: {reason}</source>
        <translation>导出失败：{reason}</translation>
    </message>
    <message>
        <source>Exported to {path}</source>
        <translation>已导出到 {path}</translation>
    </message>
</context>
<context>
    <name>ChatPane</name>
    <message>
        <source>Loading the model…</source>
        <translation>正在加载模型…</translation>
    </message>
    <message>
        <source>Type a message first.</source>
        <translation>请先输入消息。</translation>
    </message>
    <message>
        <source>the message</source>
        <translation>消息</translation>
    </message>
    <message>
        <source>Generating…</source>
        <translation>正在生成…</translation>
    </message>
    <message>
        <source>Send or clear the message you are writing before editing another one.</source>
        <translation>请先发送或清空正在输入的消息，再编辑其他消息。</translation>
    </message>
    <message>
        <source>Editing: send to add it as a new version; the earlier one stays.</source>
        <translation>编辑中：发送后作为新版本添加，原来的版本会保留。</translation>
    </message>
    <message>
        <source>Stopped. {figures}</source>
        <translation>已停止。{figures}</translation>
    </message>
    <message>
        <source>The context is full: the answer was cut. {figures}</source>
        <translation>上下文已满，回答被截断。{figures}</translation>
    </message>
    <message numerus="yes">
        <source>{note} (the %n oldest messages did not fit the context and were left out)</source>
        <translation>
            <numerusform>{note}（最早的 %n 条消息超出上下文，已略去）</numerusform>
        </translation>
    </message>
</context>
<context>
    <name>CodeBlockView</name>
    <message>
        <source>code</source>
        <translation>代码</translation>
    </message>
    <message>
        <source>Copy this code block</source>
        <translation>复制此代码块</translation>
    </message>
</context>
<context>
    <name>ComposeRow</name>
    <message>
        <source>Message (Ctrl+Enter to send)</source>
        <translation>输入消息（Ctrl+Enter 发送）</translation>
    </message>
    <message>
        <source>Send</source>
        <translation>发送</translation>
    </message>
    <message>
        <source>Send (Ctrl+Enter)</source>
        <translation>发送（Ctrl+Enter）</translation>
    </message>
</context>
<context>
    <name>ConversationSidebar</name>
    <message>
        <source>New chat</source>
        <translation>新对话</translation>
    </message>
    <message>
        <source>Start a new conversation (Ctrl+N)</source>
        <translation>开始新对话（Ctrl+N）</translation>
    </message>
    <message>
        <source>Search conversations (Ctrl+F)</source>
        <translation>搜索对话（Ctrl+F）</translation>
    </message>
    <message>
        <source>Rename</source>
        <translation>重命名</translation>
    </message>
    <message>
        <source>Delete conversation</source>
        <translation>删除对话</translation>
    </message>
</context>
<context>
    <name>MessageView</name>
    <message>
        <source>Copy</source>
        <translation>复制</translation>
    </message>
    <message>
        <source>Copied</source>
        <translation>已复制</translation>
    </message>
    <message>
        <source>Copy the whole message as Markdown</source>
        <translation>以 Markdown 格式复制整条消息</translation>
    </message>
    <message>
        <source>The previous version of this message</source>
        <translation>此消息的上一个版本</translation>
    </message>
    <message>
        <source>The next version of this message</source>
        <translation>此消息的下一个版本</translation>
    </message>
    <message>
        <source>Edit</source>
        <translation>编辑</translation>
    </message>
    <message>
        <source>Edit this message and send it as a new version</source>
        <translation>编辑此消息并作为新版本发送</translation>
    </message>
    <message>
        <source>Regenerate</source>
        <translation>重新生成</translation>
    </message>
    <message>
        <source>Answer again; this answer stays as a version</source>
        <translation>重新回答；当前回答会保留为一个版本</translation>
    </message>
    <message>
        <source>Continue</source>
        <translation>继续</translation>
    </message>
    <message>
        <source>Continue this answer where it was cut off</source>
        <translation>从截断处继续此回答</translation>
    </message>
    <message>
        <source>You</source>
        <translation>你</translation>
    </message>
    <message>
        <source>Assistant</source>
        <translation>助手</translation>
    </message>
    <message>
        <source>{who} …</source>
        <translation>{who} …</translation>
    </message>
    <message>
        <source>{who} (stopped)</source>
        <translation>{who}（已停止）</translation>
    </message>
    <message>
        <source>{who} (interrupted)</source>
        <translation>{who}（已中断）</translation>
    </message>
    <message>
        <source>{who} (failed)</source>
        <translation>{who}（失败）</translation>
    </message>
    <message>
        <source>{who} (cut off by the token limit)</source>
        <translation>{who}（达到词元上限被截断）</translation>
    </message>
    <message>
        <source>the prompt</source>
        <translation>提示词</translation>
    </message>
</context>
<context>
    <name>SessionSaver</name>
    <message>
        <source>Conversation saved.</source>
        <translation>对话已保存。</translation>
    </message>
    <message>
        <source>{reason} The conversation is kept in memory and will be saved when possible.</source>
        <translation>{reason} 对话暂存在内存中，一有机会就会保存。</translation>
    </message>
</context>
<context>
    <name>Transcript</name>
    <message>
        <source>Ask a coding question. Ctrl+Enter sends, Esc stops.
Answers run on your own machine; nothing leaves it.</source>
        <translation>提一个编程问题。Ctrl+Enter 发送，Esc 停止。
回答在你自己的电脑上生成，任何内容都不会离开本机。</translation>
    </message>
</context>
</TS>
